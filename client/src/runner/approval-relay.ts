// Approvals across this device's tabs: only the tab that drives a session holds a waiting call's
// promise, so it publishes its pending approvals on a BroadcastChannel and takes answers from any tab
// that shows the session. Local-only (same origin, same device), nothing goes into a doc.
import type { ApprovalAnswer, ApprovalQueue, ApprovalRequest } from './approval-queue.ts';

/** The channel a session's waiting calls are published on (one per session, whoever drives it). */
export function approvalChannelName(sessionId: string): string {
  return `boocode-approvals:${sessionId}`;
}

type RelayMessage =
  | { type: 'query' }
  | { type: 'pending'; requests: ApprovalRequest[] }
  | { type: 'answer'; spanId: string; answer: ApprovalAnswer };

export class ApprovalRelay {
  private readonly channel: BroadcastChannel | undefined;
  private remote: ApprovalRequest[] = [];
  private snapshot: ApprovalRequest[] = [];
  private readonly listeners = new Set<() => void>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly queue: ApprovalQueue,
    channelName: string,
  ) {
    this.unsubscribe = queue.subscribe(() => {
      this.publish();
      this.changed();
    });
    if (typeof BroadcastChannel === 'undefined') return;
    this.channel = new BroadcastChannel(channelName);
    this.channel.onmessage = (e: MessageEvent<RelayMessage>) => this.receive(e.data);
    this.post({ type: 'query' });
  }

  /** Waiting calls: this tab's own, then those another tab of this device is waiting on. */
  list = (): ApprovalRequest[] => this.snapshot;

  subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };

  answer(spanId: string, answer: ApprovalAnswer): void {
    if (this.queue.list().some((r) => r.spanId === spanId)) this.queue.answer(spanId, answer);
    else this.post({ type: 'answer', spanId, answer });
  }

  /** Forget what other tabs said (this tab now drives, or the run stopped). */
  clearRemote(): void {
    if (!this.remote.length) return;
    this.remote = [];
    this.changed();
  }

  close(): void {
    this.unsubscribe();
    this.channel?.close();
  }

  private receive(msg: RelayMessage): void {
    if (msg.type === 'query') {
      if (this.queue.list().length) this.publish();
    } else if (msg.type === 'pending') {
      this.remote = msg.requests;
      this.changed();
    } else if (msg.type === 'answer') {
      this.queue.answer(msg.spanId, msg.answer);
    }
  }

  private publish(): void {
    this.post({ type: 'pending', requests: this.queue.list() });
  }

  private post(msg: RelayMessage): void {
    this.channel?.postMessage(msg);
  }

  private changed(): void {
    const local = this.queue.list();
    this.snapshot = [...local, ...this.remote.filter((r) => !local.some((l) => l.spanId === r.spanId))];
    for (const fn of this.listeners) fn();
  }
}
