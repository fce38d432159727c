/**
 * Tells whether Yjs can apply an incoming update to a doc before the update is stored. Decoding is
 * not enough: an update can decode and still throw while it is integrated (an item whose right
 * neighbour is itself, a zero-length delete range), and a stored row like that would throw on every
 * load, half applied. The live doc cannot be the test bed (it holds only stored state), so a second
 * Y.Doc mirrors it (every transaction of the live doc is applied to it too) plus the updates that
 * passed and are still being stored. Built on the first check, so a doc that is only read costs
 * nothing; a doc being written holds its state twice while it is loaded.
 */
import * as Y from 'yjs';

export class UpdateProbe {
  private probe: Y.Doc | null = null;
  /** Updates that passed but are not in the live doc yet (being stored), in arrival order. */
  private readonly inFlight = new Set<Uint8Array>();
  private readonly mirror = (update: Uint8Array, origin: unknown) => {
    // An update a peer sent passed `check`, so the probe has it already (re-applying costs ~4x an apply).
    if (!this.probe || this.checkedOrigin(origin)) return;
    try {
      Y.applyUpdate(this.probe, update);
    } catch {
      this.discard(); // rebuilt from the live doc at the next check
    }
  };

  constructor(
    private readonly live: Y.Doc,
    /** True for the origin of transactions that apply updates which went through `check` (a peer). */
    private readonly checkedOrigin: (origin: unknown) => boolean,
  ) {
    live.on('update', this.mirror);
  }

  /**
   * True when the update applies cleanly on top of the stored state and the updates in flight; it
   * then counts as in flight until `settled`. False leaves everything as it was.
   */
  check(update: Uint8Array): boolean {
    const probe = this.probe ?? this.build();
    try {
      Y.applyUpdate(probe, update);
    } catch {
      // Integration may have stopped half way: this probe no longer mirrors anything.
      this.discard();
      return false;
    }
    this.inFlight.add(update);
    return true;
  }

  /** The update was stored and applied to the live doc, or storing it failed (the peer resends it). */
  settled(update: Uint8Array): void {
    this.inFlight.delete(update);
  }

  destroy(): void {
    this.live.off('update', this.mirror);
    this.discard();
    this.inFlight.clear();
  }

  private build(): Y.Doc {
    for (;;) {
      const probe = new Y.Doc({ gc: this.live.gc });
      // Pending structs (waiting for their dependencies) are part of the encoded state: they wait here too.
      Y.applyUpdate(probe, Y.encodeStateAsUpdate(this.live));
      const failed = [...this.inFlight].find((update) => !applies(probe, update));
      if (!failed) {
        this.probe = probe;
        return probe;
      }
      // An update that passed before cannot fail on the same state; if it ever does, it must not
      // block every later one: drop it from the probe (its store and apply go on) and start over.
      probe.destroy();
      this.inFlight.delete(failed);
    }
  }

  private discard(): void {
    this.probe?.destroy();
    this.probe = null;
  }
}

function applies(doc: Y.Doc, update: Uint8Array): boolean {
  try {
    Y.applyUpdate(doc, update);
    return true;
  } catch {
    return false;
  }
}
