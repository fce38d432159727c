// Doc names are the only key a Y.Doc is known by, on the wire (`/yjs/<name>`), in IndexedDB and in Postgres.

/** The sync server refuses any other name. */
export const DOC_NAME_PATTERN = /^[A-Za-z0-9:_-]{1,128}$/;

export const SPACE_DOC = 'space';

export type DocKind = 'space' | 'session' | 'workflow-run';

export function sessionDocName(sessionId: string): string {
  return `session:${sessionId}`;
}

export function workflowRunDocName(runId: string): string {
  return `workflow-run:${runId}`;
}

export function isValidDocName(name: string): boolean {
  return DOC_NAME_PATTERN.test(name);
}

export function parseDocName(name: string): { kind: DocKind; id: string } | undefined {
  if (!isValidDocName(name)) return undefined;
  if (name === SPACE_DOC) return { kind: 'space', id: '' };
  const i = name.indexOf(':');
  if (i < 0) return undefined;
  const prefix = name.slice(0, i);
  const id = name.slice(i + 1);
  if (!id) return undefined;
  if (prefix === 'session') return { kind: 'session', id };
  if (prefix === 'workflow-run') return { kind: 'workflow-run', id };
  return undefined;
}
