// Test helper: a span as the recorder writes it, ended ('ok') or still open, for the trace-tree tests here
// and the trace pane's in the client.
import type { Span } from '../doc/session-schema.ts';

export const testSpan = (
  id: string,
  turn: number,
  startedAt: number,
  endedAt: number | undefined,
  extra: Partial<Span> = {},
) =>
  ({
    id,
    kind: 'tool',
    name: 'read_file',
    turn,
    startedAt,
    status: endedAt === undefined ? 'open' : 'ok',
    ...(endedAt !== undefined ? { endedAt } : {}),
    ...extra,
  }) as Span;
