import {
  getWorkflowRun,
  initWorkflowRun,
  markWorkflowRunStatus,
  observeWorkflowRun,
} from '@boocode/shared/doc/workflow-run';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { docVersionSource } from './doc-hooks.ts';

/** A run written on another device, as the update its sync brings to this one. */
function runFromAnotherDevice(): Uint8Array {
  const doc = new Y.Doc();
  initWorkflowRun(doc, new Y.Doc(), {
    runId: 'wfr_1',
    sessionId: 'ses_1',
    workflowName: 'multi-review',
    source: 'export default 1',
    createdAt: 1,
  });
  return Y.encodeStateAsUpdate(doc);
}

describe('docVersionSource (useDocVersion)', () => {
  it('signals once on subscribe, so a run that synced between the read and the subscription is seen', () => {
    const doc = new Y.Doc();
    expect(getWorkflowRun(doc)).toBeUndefined(); // the render's read
    Y.applyUpdate(doc, runFromAnotherDevice()); // the sync lands before React subscribes

    let plainSignals = 0;
    observeWorkflowRun(doc, () => plainSignals++)();
    expect(plainSignals).toBe(0); // the stock observer never reports it: the reader would stay stale

    let signals = 0;
    const source = docVersionSource(doc, observeWorkflowRun);
    const before = source.get();
    const stop = source.subscribe(() => signals++);
    expect(signals).toBe(1);
    expect(source.get()).not.toBe(before); // the memo keyed on the version recomputes
    expect(getWorkflowRun(doc)?.runId).toBe('wfr_1');
    stop();
  });

  it('keeps reporting later changes until unsubscribed', () => {
    const doc = new Y.Doc();
    let signals = 0;
    const stop = docVersionSource(doc, observeWorkflowRun).subscribe(() => signals++);
    Y.applyUpdate(doc, runFromAnotherDevice());
    expect(signals).toBe(2);
    stop();
    markWorkflowRunStatus(doc, 'completed');
    expect(signals).toBe(2);
  });
});
