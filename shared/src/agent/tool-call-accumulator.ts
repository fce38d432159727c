// Collects tool calls from stream deltas: each call is keyed by its `index`, its id and name come first,
// and its argument JSON arrives in pieces, possibly interleaved with other calls of the same response.
import type { ToolCall } from '../doc/session-schema.ts';

export class ToolCallAccumulator {
  private calls = new Map<number, { id?: string; name: string; args: string }>();

  add(delta: { index: number; id?: string; name?: string; argumentsDelta?: string }): void {
    const cur = this.calls.get(delta.index) ?? { name: '', args: '' };
    if (delta.id) cur.id = delta.id;
    if (delta.name) cur.name += delta.name;
    if (delta.argumentsDelta) cur.args += delta.argumentsDelta;
    this.calls.set(delta.index, cur);
  }

  get size(): number {
    return this.calls.size;
  }

  /** The calls in index order; a provider that sent no id gets a stable one from `makeId`. */
  finish(makeId: () => string): ToolCall[] {
    return [...this.calls.entries()]
      .sort(([a], [b]) => a - b)
      .map(([, c]) => ({ id: c.id ?? makeId(), name: c.name, arguments: c.args }));
  }
}
