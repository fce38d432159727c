// Tool calls waiting for the user's Approve / Deny / Always allow in the tab that drives the session.
// The waiting call's span is open in the doc the whole time, so other tabs see it as running; only
// the driving tab can answer, because only it holds the call's promise.
import type { ControlPathKind } from '@boocode/shared/runner/control-paths';
import type { ToolName } from '@boocode/shared/runner/tool-contracts';

export type ApprovalAnswer = 'approve' | 'deny' | 'always';

export interface ApprovalRequest {
  spanId: string;
  tool: ToolName;
  input: unknown;
  /** Why it needs approval, in words (from evaluateApproval). */
  reason: string;
  /** Set when the call writes a control path (git's folder, the hooks file): approving it can run a program. */
  danger?: ControlPathKind;
  /** False when no exact allow rule can be made (shell syntax): "Always allow" is not offered. */
  canAlwaysAllow: boolean;
}

export class ApprovalQueue {
  private pending: Array<ApprovalRequest & { answer(a: ApprovalAnswer): void }> = [];
  private snapshot: ApprovalRequest[] = [];
  private listeners = new Set<() => void>();
  /** Tool-call ids the user already approved (re-running a call interrupted by a crash). */
  private preApproved = new Set<string>();

  /** Resolves with the user's answer; resolves 'deny' if `signal` aborts first (turn stopped). */
  ask(request: ApprovalRequest, signal: AbortSignal): Promise<ApprovalAnswer> {
    return new Promise((resolve) => {
      const finish = (a: ApprovalAnswer) => {
        signal.removeEventListener('abort', onAbort);
        this.pending = this.pending.filter((p) => p.spanId !== request.spanId);
        this.changed();
        resolve(a);
      };
      const onAbort = () => finish('deny');
      if (signal.aborted) return resolve('deny');
      signal.addEventListener('abort', onAbort, { once: true });
      this.pending.push({ ...request, answer: finish });
      this.changed();
    });
  }

  answer(spanId: string, answer: ApprovalAnswer): void {
    this.pending.find((p) => p.spanId === spanId)?.answer(answer);
  }

  /** The user approved re-running this call: its next execution must not ask again. */
  preApprove(toolCallId: string): void {
    this.preApproved.add(toolCallId);
  }

  takePreApproval(toolCallId: string): boolean {
    return this.preApproved.delete(toolCallId);
  }

  list = (): ApprovalRequest[] => this.snapshot;

  subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };

  private changed() {
    this.snapshot = this.pending.map(({ answer: _a, ...r }) => r);
    for (const fn of this.listeners) fn();
  }
}
