// A provider's base URL, checked before it is saved and refused in words: an address the app would
// otherwise resolve against its own origin ("not a url"), a key in the URL, a query the client would break,
// a key sent in clear to the internet, or a direct call to anything but this machine.
import type { ProviderAccess } from './provider-kinds.ts';
import { parseUrl } from './web-platform.ts';

export type BaseUrlCheck = { ok: true; url: string } | { ok: false; message: string };

const EXAMPLE = 'http://127.0.0.1:11434/v1';

/** 127.0.0.0/8, localhost (and *.localhost), ::1: a server on the machine that runs the page. */
export function isLoopbackUrl(raw: string): boolean {
  const host = parseUrl(raw)?.hostname.toLowerCase();
  if (!host) return false;
  return host === 'localhost' || host.endsWith('.localhost') || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * What the page may call itself: http(s) on 127.0.0.1 or localhost, any port — exactly what the app's
 * Content-Security-Policy lets it connect to (sync-server/src/server/security-headers.ts).
 */
export function isDirectlyCallable(raw: string): boolean {
  const host = parseUrl(raw)?.hostname.toLowerCase();
  return host === '127.0.0.1' || host === 'localhost';
}

/** Loopback, RFC 1918 addresses and mDNS names: plain http stays inside the user's own network. */
function isPrivateHost(host: string): boolean {
  if (/^10(\.\d{1,3}){3}$/.test(host) || /^192\.168(\.\d{1,3}){2}$/.test(host)) return true;
  if (/^172\.(1[6-9]|2\d|3[01])(\.\d{1,3}){2}$/.test(host)) return true;
  return host.endsWith('.local') || /^\[f[cd][0-9a-f]{2}:/i.test(host);
}

/**
 * Checks a base URL for an entry reached by `access` that does (or not) carry a key; answers the normalised
 * URL (no trailing slash) or why it is refused, in words a user can act on.
 */
export function checkBaseUrl(raw: string, opts: { access: ProviderAccess; needsKey: boolean }): BaseUrlCheck {
  const text = raw.trim();
  if (!text) return refuse(`Type the server’s base URL, for example ${EXAMPLE}.`);
  const url = parseUrl(text);
  if (!url)
    return refuse(`“${text}” is not a URL: write the whole address with http:// or https://, for example ${EXAMPLE}.`);
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return refuse(
      `“${text}” is not a web address the app can call (it starts with ${url.protocol}): write it with http:// or https://, for example ${EXAMPLE}.`,
    );
  if (url.username || url.password)
    return refuse(
      'Put the API key in the key field, not in the URL: the URL is shown and kept in settings, keys are not.',
    );
  if (url.search || url.hash)
    return refuse('A base URL has no ?query or #fragment: the app adds /chat/completions and /models to it.');
  const path = url.pathname.replace(/\/+$/, '');
  const endpoint = /\/(chat\/completions|completions|models)$/.exec(path);
  if (endpoint)
    return refuse(
      `Give the base URL without ${endpoint[0]} at the end (the app adds it): ${url.origin}${path.slice(0, endpoint.index)}.`,
    );
  const host = url.hostname.toLowerCase();
  const loopback = isLoopbackUrl(url.href);
  if (opts.access === 'direct' && !isDirectlyCallable(url.href))
    return refuse(
      loopback
        ? `The page calls servers on this computer only at 127.0.0.1 or localhost (its security policy allows no other address): use one of those, or reach ${host} through the runner.`
        : `Only a server on this computer (127.0.0.1 or localhost) can be called directly from the page; reach ${host} through the runner.`,
    );
  if (opts.needsKey && url.protocol === 'http:' && !loopback && !isPrivateHost(host))
    return refuse(`This would send your API key unencrypted to ${host}: use https://.`);
  return { ok: true, url: `${url.origin}${path}` };
}

function refuse(message: string): BaseUrlCheck {
  return { ok: false, message };
}
