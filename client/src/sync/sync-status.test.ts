// The global badge: never "Synced to server" while the upload queue holds a change, and the count in
// words, offline or connected.
import { describe, expect, it } from 'vitest';
import { globalSyncLabel, SyncStatusBoard } from './sync-status.ts';

describe('the global sync status', () => {
  it('is not synced while changes wait, even when every open doc is', () => {
    const board = new SyncStatusBoard();
    board.set('space', 'synced');
    expect(board.global()).toBe('synced');
    board.setWaiting(3);
    expect(board.global()).toBe('syncing');
    board.setWaiting(0);
    expect(board.global()).toBe('synced');
  });

  it('stays offline or refused whatever waits', () => {
    const board = new SyncStatusBoard();
    board.set('space', 'offline');
    board.setWaiting(2);
    expect(board.global()).toBe('offline');
    board.set('session:1', 'refused');
    expect(board.global()).toBe('refused');
  });

  it('tells subscribers when the count changes', () => {
    const board = new SyncStatusBoard();
    let calls = 0;
    board.subscribe(() => calls++);
    board.setWaiting(1);
    board.setWaiting(1);
    board.setWaiting(0);
    expect(calls).toBe(2);
  });
});

describe('globalSyncLabel', () => {
  it('counts the waiting changes in words', () => {
    expect(globalSyncLabel('offline', 1)).toBe('Offline · 1 change waiting to upload');
    expect(globalSyncLabel('offline', 3)).toBe('Offline · 3 changes waiting to upload');
    expect(globalSyncLabel('syncing', 3)).toBe('3 changes waiting to upload');
  });

  it('says synced or offline as before when nothing waits', () => {
    expect(globalSyncLabel('synced', 0)).toBe('Synced to server');
    expect(globalSyncLabel('offline', 0)).toBe('Offline · saved on this device');
  });

  it('keeps the words only the user can act on', () => {
    expect(globalSyncLabel('refused', 4)).toBe('Sync refused · check the token in Settings');
    expect(globalSyncLabel('local', 4)).toBe('Saved on this device');
  });
});
