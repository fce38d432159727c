// On a message whose model call failed and waits to be re-sent: why, "retrying in 7 s" counting down, and
// Cancel. The wait was written by the driver (maybe on another device, with another clock), so the countdown
// never shows more than the wait itself.
import type { RetryWait } from '@boocode/shared/doc/session-schema';
import { waitWords } from '@boocode/shared/model/model-error';
import { useEffect, useState } from 'react';

export function RetryNotice({ retry, onCancel }: { retry: RetryWait; onCancel?: () => void }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  const left = Math.min(Math.max(retry.until - now, 0), retry.waitMs);
  return (
    <p className="retry-notice muted" role="status" data-testid="retry-notice">
      <span>
        {retry.reason} {left > 0 ? `Retrying in ${waitWords(left)}` : 'Retrying now'} (try {retry.attempt} of {retry.of}
        ).
      </span>
      <button
        type="button"
        onClick={onCancel}
        disabled={!onCancel}
        title={onCancel ? undefined : 'Another tab runs this turn: cancel it there.'}
        data-testid="retry-cancel"
      >
        Cancel
      </button>
    </p>
  );
}
