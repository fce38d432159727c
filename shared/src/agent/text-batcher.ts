// Streamed text reaches the doc in batches: at most one write per `intervalMs` of the injected clock, plus
// a final flush, so a 1,000-token answer is a few dozen small Yjs updates instead of a thousand.
import type { Clock } from './engine-deps.ts';

export type FlushTarget = (text: string, reasoning: string) => void;

export class TextBatcher {
  private text = '';
  private reasoning = '';
  private lastFlush = Number.NEGATIVE_INFINITY;
  private scheduled = false;
  private closed = false;

  constructor(
    private readonly clock: Clock,
    private readonly intervalMs: number,
    private readonly target: FlushTarget,
  ) {}

  push(field: 'text' | 'reasoning', chunk: string): void {
    if (!chunk || this.closed) return;
    if (field === 'text') this.text += chunk;
    else this.reasoning += chunk;
    const wait = this.lastFlush + this.intervalMs - this.clock.now();
    if (wait <= 0) {
      this.flush();
      return;
    }
    if (this.scheduled) return;
    this.scheduled = true;
    void this.clock.sleep(wait).then(() => {
      this.scheduled = false;
      if (!this.closed) this.flush();
    });
  }

  flush(): void {
    if (!this.text && !this.reasoning) return;
    const text = this.text;
    const reasoning = this.reasoning;
    this.text = '';
    this.reasoning = '';
    this.lastFlush = this.clock.now();
    this.target(text, reasoning);
  }

  /** Drops what is left and anything pushed later: the driver let go, the doc is no longer its to write. */
  discard(): void {
    this.text = '';
    this.reasoning = '';
    this.closed = true;
  }

  /** Flushes what is left and ignores anything pushed later (a late timer must not write after the end). */
  close(): void {
    this.flush();
    this.closed = true;
  }
}
