// Tool calls waiting for the user's approval right now (run_command, writes). They live only in the
// driving tab's ApprovalQueue; the session index still says `running`, so the docs cannot tell. The
// driving tab's ApprovalRelay publishes them on a per-session BroadcastChannel, and this listens there
// for every running session: a span id it has not heard of is an event `approval:<sessionId>:<spanId>`.
// The relay also repeats its list when another tab asks; the claims table absorbs those repeats
// (the tab that heard the first publication already claimed the id).
import type { SessionIndexEntry } from '@boocode/shared/doc/space';
import type { NotifyEvent } from './notify-events.ts';

/** The relay's channel for a session (client/src/chat/session-driver.ts names it so). */
export const approvalChannelName = (sessionId: string) => `boocode-approvals:${sessionId}`;

/** The part of the relay's messages read here (client/src/runner/approval-relay.ts, RelayMessage). */
interface PendingMessage {
  type: 'pending';
  requests: { spanId: string; tool: string }[];
}

export interface ChannelLike {
  listen(onMessage: (data: unknown) => void): void;
  close(): void;
}

export function openBroadcastChannel(name: string): ChannelLike {
  const channel = new BroadcastChannel(name);
  return {
    listen: (onMessage) => {
      channel.onmessage = (e: MessageEvent) => onMessage(e.data);
    },
    close: () => channel.close(),
  };
}

export interface LiveApprovalDeps {
  openChannel(name: string): ChannelLike;
  emit(event: NotifyEvent): void;
}

function isPending(data: unknown): data is PendingMessage {
  const m = data as Partial<PendingMessage> | null;
  return m?.type === 'pending' && Array.isArray(m.requests);
}

/** Keeps one channel open per session that may be asking (index status running or waiting-approval). */
export class LiveApprovals {
  private readonly channels = new Map<string, { channel: ChannelLike; heard: Set<string> }>();

  constructor(private readonly deps: LiveApprovalDeps) {}

  /** Call with the index after each change: opens channels for running sessions, closes the rest. */
  track(entries: SessionIndexEntry[], titleOf: (id: string) => string | undefined): void {
    const live = new Set(
      entries.filter((e) => e.status === 'running' || e.status === 'waiting-approval').map((e) => e.id),
    );
    for (const [id, c] of this.channels) {
      if (live.has(id)) continue;
      c.channel.close();
      this.channels.delete(id);
    }
    for (const id of live) {
      if (this.channels.has(id)) continue;
      const heard = new Set<string>();
      const channel = this.deps.openChannel(approvalChannelName(id));
      channel.listen((data) => {
        if (!isPending(data)) return;
        for (const r of data.requests) {
          if (heard.has(r.spanId)) continue;
          heard.add(r.spanId);
          this.deps.emit(approvalEvent(id, titleOf(id) ?? 'a session', r));
        }
      });
      this.channels.set(id, { channel, heard });
    }
  }

  close(): void {
    for (const c of this.channels.values()) c.channel.close();
    this.channels.clear();
  }
}

function approvalEvent(sessionId: string, title: string, request: { spanId: string; tool: string }): NotifyEvent {
  return {
    id: `approval:${sessionId}:${request.spanId}`,
    kind: 'approval',
    title: `Approval waiting in “${title}”`,
    body: `${request.tool} needs your go-ahead before the agent can go on.`,
    sessionId,
    tone: 'attention',
  };
}
