// Edit and resend the last prompt: the session is forked before that prompt (the timeline's fork, reason
// `edit`), and the edited text is sent as the fork's next turn. The original session keeps its prompt and
// answers; the fork's meta and first notice say where it came from.
import { sessionDocName } from '@boocode/shared/doc/names';
import type { Message } from '@boocode/shared/doc/session-schema';
import type * as Y from 'yjs';
import type { AppServices } from '../docs/doc-context.tsx';
import { forkSessionAt } from '../timeline/fork-action.ts';
import type { ForkResult } from '../timeline/fork-session.ts';
import { attachDriver } from './driver-registry.ts';
import { editForkPoint } from './edit-prompt.ts';

/**
 * Forks `source` before `prompt`, opens the fork (`open`, the navigation) and starts its turn with `text`.
 * The driver is attached before the fork opens, so the fork's view shares it and shows a failure to start.
 */
export async function editAndResend(
  services: AppServices,
  source: Y.Doc,
  messages: Message[],
  prompt: Message,
  text: string,
  open: (sessionId: string) => Promise<void>,
): Promise<ForkResult> {
  const res = await forkSessionAt(services.store, services.space, source, editForkPoint(messages, prompt), 'edit');
  if (!res.ok) return res;
  // The fork's stored state must be loaded before its turn is numbered from its run state.
  const handle = services.store.openDoc(sessionDocName(res.sessionId));
  try {
    await handle.whenLoaded;
    const { driver, detach } = attachDriver(services, res.sessionId);
    try {
      await open(res.sessionId);
    } finally {
      // The registry keeps the driver while it drives, so the turn runs on whichever view is open.
      void driver.send(text, prompt.attachments).finally(detach);
    }
  } finally {
    handle.release();
  }
  return res;
}
