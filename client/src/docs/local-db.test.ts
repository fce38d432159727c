// The upload queue's row must commit before the doc update it stands for: both writes' transactions
// are widened over both tables, so IndexedDB runs them in the order they were created.
import type { DBCore } from 'dexie';
import { describe, expect, it } from 'vitest';
import { DOC_UPDATES_TABLE, orderPendingChangesFirst } from './local-db.ts';

function scopes() {
  const seen: { stores: string[]; mode: string }[] = [];
  const down = {
    transaction: (stores: string[], mode: 'readonly' | 'readwrite') => {
      seen.push({ stores, mode });
      return {} as never;
    },
  } as unknown as DBCore;
  const core = orderPendingChangesFirst(down);
  const open = (stores: string[], mode: 'readonly' | 'readwrite') => {
    core.transaction?.(stores, mode);
    return seen.at(-1)?.stores.slice().sort();
  };
  return { open };
}

describe('orderPendingChangesFirst', () => {
  it('makes a queue write and a doc update write share one scope', () => {
    const { open } = scopes();
    expect(open(['pendingChanges'], 'readwrite')).toEqual([DOC_UPDATES_TABLE, 'pendingChanges'].sort());
    expect(open([DOC_UPDATES_TABLE], 'readwrite')).toEqual([DOC_UPDATES_TABLE, 'pendingChanges'].sort());
  });

  it('leaves reads and unrelated writes alone', () => {
    const { open } = scopes();
    expect(open([DOC_UPDATES_TABLE], 'readonly')).toEqual([DOC_UPDATES_TABLE]);
    expect(open(['settings'], 'readwrite')).toEqual(['settings']);
  });
});
