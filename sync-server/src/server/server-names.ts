// The names this server answers to: the Host values it accepts (a DNS-rebinding page on
// evil.example that resolves to 127.0.0.1 still sends `Host: evil.example`, so it is refused) and the
// origins its app is served from (the runner's allowed origins, the URL it prints).
import { isIPv6 } from 'node:net';
import { networkInterfaces } from 'node:os';

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

/** True for names that only this machine can reach: localhost, 127.0.0.0/8, ::1. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice('::ffff:'.length) : h;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

/** `0.0.0.0` and `::` listen on every interface. */
export function isWildcardHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  return h === '0.0.0.0' || h === '::' || h === '';
}

function bracket(host: string): string {
  return isIPv6(host) ? `[${host}]` : host;
}

function withPort(name: string, port: number): string[] {
  // A browser leaves the default port out of Host.
  return port === 80 ? [`${name}:${port}`, name] : [`${name}:${port}`];
}

export interface ServerNamesInput {
  /** The address the server listens on (after the loopback check). */
  listenHost: string;
  port: number;
  /** Extra Host values the user configured (a name behind a proxy, a LAN name), as sent in `Host`. */
  publicHosts?: readonly string[];
}

export interface ServerNames {
  /** Exact `Host` header values accepted, lower case. */
  hosts: string[];
  /** Origins a page of this server's app can have (http for every host, https too for public names). */
  origins: string[];
  /** The URL to print and to open locally: a loopback name unless the server listens on one address only. */
  url: string;
}

export function serverNames({ listenHost, port, publicHosts = [] }: ServerNamesInput): ServerNames {
  const listened = listenHost.replace(/^\[|\]$/g, '');
  const own = new Set(LOOPBACK_NAMES);
  if (isWildcardHost(listened)) {
    // Every interface answers, so every interface address is one of our names.
    for (const list of Object.values(networkInterfaces())) {
      for (const a of list ?? []) own.add(bracket(a.address.split('%')[0] ?? a.address));
    }
  } else {
    own.add(bracket(listened));
  }
  const hosts = [...own].flatMap((name) => withPort(name.toLowerCase(), port));
  const extra = publicHosts.map((h) => h.trim().toLowerCase()).filter(Boolean);
  const origins = [
    ...new Set([
      ...[...own].map((name) => `http://${name.toLowerCase()}:${port}`),
      ...extra.flatMap((h) => [`http://${h}`, `https://${h}`]),
    ]),
  ];
  return {
    hosts: [...new Set([...hosts, ...extra])],
    origins,
    url: `http://${isWildcardHost(listened) ? '127.0.0.1' : bracket(listened)}:${port}`,
  };
}
