// Imported by the generated service worker (vite.config.ts, workbox.importScripts): a click on a
// BooCode notification brings an app window forward and opens the session named in `data.url`.
// An open window is told to route there itself (no reload, its state stays); with none, a new one opens.
const OPEN_URL_MESSAGE = 'boocode:open-url';

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const path = event.notification.data?.url;
  const url = new URL(typeof path === 'string' && path.startsWith('/') ? path : '/', self.location.origin);
  const work = openInApp(url);
  // waitUntil keeps the worker alive until the window is open; it throws for an event built by script.
  try {
    event.waitUntil(work);
  } catch {
    work.catch(() => {});
  }
});

async function openInApp(url) {
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const rank = (c) => (c.focused ? 0 : c.visibilityState === 'visible' ? 1 : 2);
  const target = windows.filter((c) => new URL(c.url).origin === url.origin).sort((a, b) => rank(a) - rank(b))[0];
  if (!target) {
    await self.clients.openWindow(url.href);
    return;
  }
  target.postMessage({ type: OPEN_URL_MESSAGE, url: url.pathname + url.search });
  // Focusing needs the click's user activation; without it (a scripted event) the route still changes.
  await target.focus().catch(() => {});
}
