// Typed accessors for a `session:<id>` doc: meta, messages, run. Spans and snapshots are in spans.ts.
// Only these modules know the Y.Map/Y.Array key names; the UI and the engine go through them.
import * as Y from 'yjs';
import type { Incomplete, Message, MessageFields, RunState, SessionMeta } from './session-schema.ts';

const META = 'meta';
const MESSAGES = 'messages';
const RUN = 'run';
const TEXT = 'text';
const REASONING = 'reasoning';
const INCOMPLETE = 'incomplete';

type MessageMap = Y.Map<unknown>;

function metaMap(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap(META);
}

function messagesArray(doc: Y.Doc): Y.Array<MessageMap> {
  return doc.getArray<MessageMap>(MESSAGES);
}

export function initSessionMeta(doc: Y.Doc, meta: SessionMeta): void {
  doc.transact(() => setSessionMeta(doc, meta));
}

export function getSessionMeta(doc: Y.Doc): SessionMeta | undefined {
  const map = metaMap(doc);
  if (!map.has('id')) return undefined;
  return Object.fromEntries(map.entries()) as SessionMeta;
}

/**
 * Whether a session is offered the subagent tools: its own setting, else on for coder sessions and off for
 * chat sessions. Every driver (tab, device, host) reads it here, so they all offer the same tools.
 */
export function sessionOffersSubagents(meta: Pick<SessionMeta, 'kind' | 'subagents'> | undefined): boolean {
  return meta?.subagents ?? meta?.kind === 'coder';
}

export function setSessionMeta(doc: Y.Doc, patch: Partial<SessionMeta>): void {
  const map = metaMap(doc);
  doc.transact(() => {
    for (const [k, v] of Object.entries(patch)) {
      if (v === undefined) map.delete(k);
      else map.set(k, v);
    }
  });
}

export type NewMessage = Omit<MessageFields, 'status'> & {
  status?: MessageFields['status'];
  text?: string;
  reasoning?: string;
};

/** Appends one message (its text as a Y.Text so streaming can append to it). */
export function appendMessage(doc: Y.Doc, msg: NewMessage): string {
  const { text = '', reasoning = '', status = 'done', ...fields } = msg;
  const map: MessageMap = new Y.Map();
  doc.transact(() => {
    for (const [k, v] of Object.entries(fields)) if (v !== undefined) map.set(k, v);
    map.set('status', status);
    map.set(TEXT, new Y.Text(text));
    map.set(REASONING, new Y.Text(reasoning));
    messagesArray(doc).push([map]);
  });
  return msg.id;
}

function readMessage(map: MessageMap): Message {
  const out: Record<string, unknown> = {};
  for (const [k, v] of map.entries()) out[k] = v instanceof Y.Text ? v.toString() : v;
  out.text ??= '';
  out.reasoning ??= '';
  return out as Message;
}

export function listMessages(doc: Y.Doc): Message[] {
  return messagesArray(doc).toArray().map(readMessage);
}

export function messageCount(doc: Y.Doc): number {
  return messagesArray(doc).length;
}

function findMessageMap(doc: Y.Doc, id: string): MessageMap | undefined {
  const arr = messagesArray(doc);
  // Newest messages are the ones being streamed into: search from the end.
  for (let i = arr.length - 1; i >= 0; i--) {
    const m = arr.get(i);
    if (m.get('id') === id) return m;
  }
  return undefined;
}

export function getMessage(doc: Y.Doc, id: string): Message | undefined {
  const map = findMessageMap(doc, id);
  return map ? readMessage(map) : undefined;
}

/** Appends a batch of streamed text (a frame's worth, never one token per update). */
export function appendMessageText(doc: Y.Doc, id: string, chunk: string, field: 'text' | 'reasoning' = 'text'): void {
  if (!chunk) return;
  const map = findMessageMap(doc, id);
  if (!map) throw new Error(`appendMessageText: no message ${id}`);
  const ytext = map.get(field === 'text' ? TEXT : REASONING) as Y.Text;
  ytext.insert(ytext.length, chunk);
}

export function updateMessage(doc: Y.Doc, id: string, patch: Partial<Omit<MessageFields, 'id'>>): void {
  const map = findMessageMap(doc, id);
  if (!map) throw new Error(`updateMessage: no message ${id}`);
  doc.transact(() => {
    for (const [k, v] of Object.entries(patch)) {
      if (v === undefined) map.delete(k);
      else map.set(k, v);
    }
  });
}

/** Replaces a message's text (a structured answer that came as a tool call's arguments becomes the answer). */
export function replaceMessageText(doc: Y.Doc, id: string, text: string): void {
  const map = findMessageMap(doc, id);
  if (!map) throw new Error(`replaceMessageText: no message ${id}`);
  const ytext = map.get(TEXT) as Y.Text;
  doc.transact(() => {
    ytext.delete(0, ytext.length);
    ytext.insert(0, text);
  });
}

/**
 * Marks an assistant answer as partial (see IncompleteSchema); the request builder then sends it marked, or
 * leaves it out and says so in the trace. The first reason stays: a cut answer later cancelled is still `cut`.
 */
export function markMessageIncomplete(doc: Y.Doc, id: string, incomplete: Incomplete): void {
  const map = findMessageMap(doc, id);
  if (!map) throw new Error(`markMessageIncomplete: no message ${id}`);
  if (map.get('role') !== 'assistant') throw new Error(`markMessageIncomplete: ${id} is not an assistant message`);
  if (map.has(INCOMPLETE)) return;
  map.set(INCOMPLETE, incomplete);
}

/** Clears the mark when the answer was completed after all (a re-issued call streamed into the same message). */
export function clearMessageIncomplete(doc: Y.Doc, id: string): void {
  findMessageMap(doc, id)?.delete(INCOMPLETE);
}

/** The partial-answer mark of a message read with listMessages/getMessage, if any. */
export function incompleteOf(message: Pick<Message, 'role' | 'incomplete'>): Incomplete | undefined {
  return message.role === 'assistant' ? message.incomplete : undefined;
}

/** Marks (or unmarks) every message of a turn as superseded by another answer to the same prompt. */
export function setTurnSuperseded(doc: Y.Doc, turn: number, superseded: boolean): void {
  doc.transact(() => {
    for (const map of messagesArray(doc)) {
      if (map.get('turn') !== turn) continue;
      if (superseded) map.set('superseded', true);
      else map.delete('superseded');
    }
  });
}

/** Removes messages after index `keep - 1` (used when forking a session at a turn boundary). */
export function truncateMessages(doc: Y.Doc, keep: number): void {
  const arr = messagesArray(doc);
  if (arr.length > keep) arr.delete(keep, arr.length - keep);
}

export function getRunState(doc: Y.Doc): RunState {
  const map = doc.getMap<unknown>(RUN);
  const state = Object.fromEntries(map.entries()) as Partial<RunState>;
  return { status: state.status ?? 'idle', turn: state.turn ?? 0, ...state } as RunState;
}

export function setRunState(doc: Y.Doc, patch: Partial<RunState>): void {
  const map = doc.getMap<unknown>(RUN);
  doc.transact(() => {
    for (const [k, v] of Object.entries(patch)) {
      if (v === undefined) map.delete(k);
      else map.set(k, v);
    }
  });
}

/** Asks whoever drives the current turn to stop it (from any tab, any device). */
export function requestTurnCancel(doc: Y.Doc): void {
  setRunState(doc, { cancelRequested: getRunState(doc).turn });
}

/** Calls back on any change of the run state (status, driver, cancel requests). */
export function observeRunState(doc: Y.Doc, onChange: () => void): () => void {
  const map = doc.getMap<unknown>(RUN);
  const handler = () => onChange();
  map.observe(handler);
  return () => map.unobserve(handler);
}

/** Calls back on any change in the session doc (meta, messages, text streaming, spans, run). */
export function observeSession(doc: Y.Doc, onChange: () => void): () => void {
  const handler = () => onChange();
  doc.on('afterTransaction', handler);
  return () => doc.off('afterTransaction', handler);
}
