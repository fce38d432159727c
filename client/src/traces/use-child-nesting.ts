// Child sessions nested in the waterfall: which rows have their child's spans open, the child docs that
// needs held open, and the rows with those spans inserted. A collapsed ancestor releases its grandchildren.
import type { Span } from '@boocode/shared/doc/session-schema';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { nestChildRows } from './child-rows.ts';
import { useChildTraces } from './span-hooks.ts';
import type { TraceRow } from './span-rows.ts';

export function useChildNesting(ownRows: readonly TraceRow[], ownSpans: readonly Span[], sessionId: string) {
  // Keys of the rows whose child session is shown nested, and the sessions that needs open.
  const [childOpen, setChildOpen] = useState<ReadonlySet<string>>(() => new Set());
  const [childSessionKey, setChildSessionKey] = useState('');
  const children = useChildTraces(
    useMemo(() => (childSessionKey ? childSessionKey.split('\n') : []), [childSessionKey]),
  );
  const nested = useMemo(
    () => nestChildRows(ownRows, ownSpans, childOpen, children, sessionId),
    [ownRows, ownSpans, childOpen, children, sessionId],
  );
  // Which docs to hold follows from the rows shown (a collapsed ancestor hides, and so releases, a grandchild).
  useEffect(() => setChildSessionKey(nested.openSessions.join('\n')), [nested.openSessions]);

  const toggleChild = useCallback((key: string, open?: boolean) => {
    setChildOpen((prev) => {
      if ((open ?? !prev.has(key)) === prev.has(key)) return prev;
      const next = new Set(prev);
      if (next.has(key)) next.delete(key);
      else next.add(key);
      return next;
    });
  }, []);

  return { childOpen, toggleChild, children, nested };
}
