// Which unmatched requests get the app shell (index.html) so the client's router can take over a deep
// link: page GETs only. Anything that names the APIs or the sync socket, however it is spelled
// (`/API/`, `//api/`, `/%61pi/`), gets a 404 instead, so a typo never answers 200 with HTML.

const NEVER_PAGES = ['/api', '/yjs'];

/** The path as the router sees it: decoded, lower case, repeated slashes collapsed. */
function normalisedPath(url: string): string | null {
  const path = url.split(/[?#]/, 1)[0] ?? '';
  try {
    return decodeURIComponent(path)
      .toLowerCase()
      .replace(/\/{2,}/g, '/');
  } catch {
    return null;
  }
}

export function isPageRequest(method: string, url: string): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false;
  const path = normalisedPath(url);
  if (path === null) return false;
  return !NEVER_PAGES.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
}
