// Which address the server may listen on. Loopback is the default and needs nothing; any other
// address (0.0.0.0 above all) opens the sync server to the network, so it needs the user's explicit
// BOOCODE_ALLOW_REMOTE=1 and then comes with a warning in words.
import { isLoopbackHost, isWildcardHost } from './server-names.ts';

export const ALLOW_REMOTE_ENV = 'BOOCODE_ALLOW_REMOTE';

/** Thrown before anything starts when a non-loopback address was asked for without the flag. */
export class RemoteListenRefusedError extends Error {
  readonly code = 'REMOTE_LISTEN_REFUSED';
  constructor(readonly host: string) {
    super(
      `The sync server refused to listen on ${host}: that address is reachable from other machines, and anyone ` +
        `there who learns the token could read and change every session. Leave HOST unset (127.0.0.1), or set ` +
        `${ALLOW_REMOTE_ENV}=1 if you mean it.`,
    );
    this.name = 'RemoteListenRefusedError';
  }
}

/**
 * Checks the listen address. Returns null for loopback, a warning to print for an allowed remote
 * address, and throws RemoteListenRefusedError for a remote one without `allowRemote`.
 */
export function checkListenHost(host: string, allowRemote: boolean): string | null {
  if (isLoopbackHost(host)) return null;
  if (!allowRemote) throw new RemoteListenRefusedError(host);
  const where = isWildcardHost(host) ? 'every network interface' : host;
  return (
    `Warning: BooCode's sync server is listening on ${where} (${ALLOW_REMOTE_ENV} is set). Other machines ` +
    'on your network can reach it; the token is all that stands between them and your sessions, and plain ' +
    'HTTP carries it unencrypted: put HTTPS in front of it on any network you do not trust.'
  );
}
