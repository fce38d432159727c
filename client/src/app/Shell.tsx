// The frame around every route: top bar (home, search across sessions, settings, global sync status), the update prompt and
// the notification toasts.
import { Link, Outlet } from '@tanstack/react-router';
import { HostBadge } from '../host/HostBadge.tsx';
import { NotificationCenter } from '../notifications/NotificationCenter.tsx';
import { SyncBadge } from '../sync/SyncBadge.tsx';
import { useApplyTheme } from './theme.ts';
import { UpdatePrompt } from './UpdatePrompt.tsx';

export function Shell() {
  useApplyTheme();
  return (
    <div className="shell">
      <header className="topbar">
        <Link to="/" className="brand" aria-label="BooCode: sessions">
          <img src="/icons/icon.svg" alt="" width={18} height={18} />
          <span className="brand-name">BooCode</span>
        </Link>
        <nav className="topnav">
          <Link to="/" activeOptions={{ exact: true }}>
            Sessions
          </Link>
          <Link to="/search">Search</Link>
          <Link to="/settings">Settings</Link>
        </nav>
        <span className="spacer" />
        <HostBadge />
        <SyncBadge testId="global-sync-status" />
      </header>
      <Outlet />
      <UpdatePrompt />
      <NotificationCenter />
    </div>
  );
}
