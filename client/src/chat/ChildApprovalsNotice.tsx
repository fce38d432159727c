// In a lead session: its background helpers that wait for the user's approval, each with a link to the
// helper's session where the waiting call is answered. Read from the space index, so it shows whoever
// drives the helper (this tab, another, or the agent host).
import { listSessions, observeSessions } from '@boocode/shared/doc/space';
import { Link } from '@tanstack/react-router';
import { useEffect, useState } from 'react';
import { useServices } from '../docs/doc-context.tsx';

export function ChildApprovalsNotice({ sessionId }: { sessionId: string }) {
  const { space } = useServices();
  const [, setTick] = useState(0);
  useEffect(() => observeSessions(space, () => setTick((t) => t + 1)), [space]);
  const waiting = listSessions(space).filter((e) => e.parentId === sessionId && e.status === 'waiting-approval');
  if (!waiting.length) return null;
  return (
    <div className="child-approvals" role="status" data-testid="child-approvals">
      {waiting.map((e) => (
        <p key={e.id}>
          Helper <strong>{e.label ?? e.title}</strong> waits for your approval.{' '}
          <Link to="/s/$sessionId" params={{ sessionId: e.id }} data-testid="child-approval-open">
            Open it to answer
          </Link>
        </p>
      ))}
    </div>
  );
}
