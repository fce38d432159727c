// The side panes of the session view. Later issues fill them in; the ids are part of the URL.
export const SESSION_PANES = [
  {
    id: 'traces',
    label: 'Traces',
    empty: 'Model and tool calls of this session will be listed here, with timing and tokens.',
  },
  { id: 'timeline', label: 'Timeline', empty: 'A timeline of turns, tool calls and waits will appear here.' },
  { id: 'cache', label: 'Cache', empty: 'Prompt cache hits and misses per model call will be shown here.' },
  { id: 'agents', label: 'Agents', empty: 'Subagents started by this session will be listed here.' },
  { id: 'workflows', label: 'Workflows', empty: 'Workflow runs started from this session will be listed here.' },
] as const;

export type SessionPane = (typeof SESSION_PANES)[number]['id'];
