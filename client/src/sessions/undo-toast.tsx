// One pending undo at a time (the last archive/delete), offered for a few seconds.
import { useCallback, useEffect, useRef, useState } from 'react';

export interface UndoOffer {
  message: string;
  undo: () => void;
}

const UNDO_MS = 8000;

export function useUndo() {
  const [offer, setOffer] = useState<UndoOffer | undefined>();
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const offerUndo = useCallback((next: UndoOffer) => {
    clearTimeout(timer.current);
    setOffer(next);
    timer.current = setTimeout(() => setOffer(undefined), UNDO_MS);
  }, []);
  const runUndo = useCallback(() => {
    clearTimeout(timer.current);
    setOffer((cur) => {
      cur?.undo();
      return undefined;
    });
  }, []);
  useEffect(() => () => clearTimeout(timer.current), []);
  return { offer, offerUndo, runUndo, dismiss: () => setOffer(undefined) };
}

export function UndoToast({ offer, onUndo }: { offer: UndoOffer | undefined; onUndo: () => void }) {
  if (!offer) return null;
  return (
    <div className="toast" role="status" data-testid="undo-toast">
      <span>{offer.message}</span>
      <button type="button" className="primary" onClick={onUndo}>
        Undo <kbd>u</kbd>
      </button>
    </div>
  );
}
