// The input: Enter sends, Shift+Enter is a new line, Stop while this tab runs a turn. While another
// tab drives the session the composer says so and waits (the turn shows live from the doc). A message over
// 100 KB is not sent at once: the composer says its size and asks first.
import type { Attachment } from '@boocode/shared/doc/session-schema';
import { type KeyboardEvent, useEffect, useRef, useState } from 'react';
import { AttachButton, AttachmentTray } from '../attachments/AttachmentTray.tsx';
import { useComposerAttachments } from '../attachments/use-composer-attachments.ts';
import { ModelPicker } from './ModelPicker.tsx';
import { oversizeBytes, roughTokens } from './send-size.ts';
import { formatBytes } from './tool-output.ts';

export interface ComposerProps {
  /** This tab runs the current turn. */
  driving: boolean;
  /** A turn is running in another tab. */
  busyElsewhere: boolean;
  onSend(text: string, attachments: Attachment[]): void;
  onStop(): void;
}

export function Composer({ driving, busyElsewhere, onSend, onStop }: ComposerProps) {
  const [text, setText] = useState('');
  /** The size of an over-large message the user tried to send, until they confirm or edit it. */
  const [asking, setAsking] = useState<number | undefined>();
  const ref = useRef<HTMLTextAreaElement>(null);
  const attach = useComposerAttachments();
  const canSend = !driving && !busyElsewhere && !attach.processing && (text.trim() !== '' || attach.ready.length > 0);

  // Opening a session puts the cursor where the user types.
  useEffect(() => ref.current?.focus(), []);

  const send = (confirmed = false) => {
    if (!canSend) return;
    const message = text.trim();
    const big = oversizeBytes(message);
    if (big !== undefined && !confirmed) {
      setAsking(big);
      return;
    }
    setAsking(undefined);
    onSend(message, attach.ready);
    setText('');
    attach.clear();
  };
  const onKey = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      send();
    } else if (e.key === 'Escape' && driving) {
      // Escape stops the running turn here; only when nothing runs does it go back to the list.
      e.preventDefault();
      e.stopPropagation();
      onStop();
    }
  };

  return (
    <form
      className={`composer${attach.dragging ? ' drop-target' : ''}`}
      {...attach.dropHandlers}
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
    >
      {asking !== undefined && (
        <div className="send-warning" role="alert" data-testid="send-warning">
          <p>
            <strong>This message is {formatBytes(asking)}</strong> (about {roughTokens(asking).toLocaleString()}{' '}
            tokens). It goes to the model with every later turn of this session. Send it anyway?
          </p>
          <button type="button" className="primary" onClick={() => send(true)} data-testid="send-anyway">
            Send anyway
          </button>{' '}
          <button
            type="button"
            onClick={() => {
              setAsking(undefined);
              ref.current?.focus();
            }}
          >
            Keep editing
          </button>
        </div>
      )}
      <AttachmentTray attachments={attach} />
      <textarea
        ref={ref}
        onPaste={attach.onPaste}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          setAsking(undefined);
        }}
        onKeyDown={onKey}
        placeholder={busyElsewhere ? 'Running elsewhere (the agent host or another tab)…' : 'Ask something…'}
        aria-label="Message"
        rows={Math.min(10, Math.max(2, text.split('\n').length))}
        data-testid="composer-input"
      />
      <div className="composer-bar">
        <ModelPicker />
        <AttachButton onFiles={attach.add} />
        <span className="muted composer-hint">
          <kbd>Enter</kbd> send · <kbd>Shift</kbd>+<kbd>Enter</kbd> new line
        </span>
        <span className="spacer" />
        {driving || busyElsewhere ? (
          // Stop works wherever the turn runs: here, or by asking its driver through the doc.
          <button type="button" className="danger-button" onClick={onStop} data-testid="stop">
            Stop
          </button>
        ) : (
          <button type="submit" className="primary" disabled={!canSend} data-testid="send">
            Send
          </button>
        )}
      </div>
    </form>
  );
}
