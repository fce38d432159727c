// Routes. URLs are real: a session (and its open side pane) can be reloaded, bookmarked and opened
// in another tab. The session list is in the first chunk; the rest loads on demand (and is precached).
import { createRootRoute, createRoute, createRouter, lazyRouteComponent } from '@tanstack/react-router';
import { type SearchForm, validateSearchForm } from '../search/search-form.ts';
import { SessionList } from '../sessions/SessionList.tsx';
import { SESSION_PANES, type SessionPane } from '../sessions/session-panes.ts';
import { Shell } from './Shell.tsx';

const rootRoute = createRootRoute({ component: Shell, notFoundComponent: NotFound });

const homeRoute = createRoute({ getParentRoute: () => rootRoute, path: '/', component: SessionList });

export const sessionRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/s/$sessionId',
  // `span`: a span to show in the traces pane when the session opens (a search result links there).
  validateSearch: (search: Record<string, unknown>): { pane?: SessionPane; span?: string } => {
    const pane = SESSION_PANES.find((p) => p.id === search.pane)?.id;
    const span = typeof search.span === 'string' && search.span.length <= 200 ? search.span : undefined;
    return { ...(pane ? { pane } : {}), ...(span ? { span } : {}) };
  },
  component: lazyRouteComponent(() => import('../sessions/SessionView.tsx'), 'SessionView'),
});

const settingsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/settings',
  component: lazyRouteComponent(() => import('../settings/SettingsPage.tsx'), 'SettingsPage'),
});

const searchRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/search',
  validateSearch: (search: Record<string, unknown>): SearchForm => validateSearchForm(search),
  component: lazyRouteComponent(() => import('../search/SearchPage.tsx'), 'SearchPage'),
});

const routeTree = rootRoute.addChildren([homeRoute, sessionRoute, searchRoute, settingsRoute]);

export function createAppRouter() {
  return createRouter({ routeTree, defaultPreload: 'intent' });
}

declare module '@tanstack/react-router' {
  interface Register {
    router: ReturnType<typeof createAppRouter>;
  }
}

function NotFound() {
  return (
    <main className="page empty-state">
      <h1>Nothing here</h1>
      <p>This address is not part of BooCode.</p>
    </main>
  );
}
