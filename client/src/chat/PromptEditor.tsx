// Editing the last prompt in place: Enter (or Ctrl+Enter) sends the new wording, Shift+Enter is a new line,
// Escape cancels. Sending forks the session before this prompt (the original stays as it is).
import { type KeyboardEvent, useEffect, useRef, useState } from 'react';

export interface PromptEditorProps {
  text: string;
  /** Forks and sends; resolves with a failure in words, or nothing once the fork is open. */
  onSend(text: string): Promise<string | undefined>;
  onCancel(): void;
}

export function PromptEditor({ text: initial, onSend, onCancel }: PromptEditorProps) {
  const [text, setText] = useState(initial);
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string>();
  const ref = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    const box = ref.current;
    box?.focus();
    box?.setSelectionRange(box.value.length, box.value.length);
  }, []);

  const trimmed = text.trim();
  const canSend = !sending && trimmed !== '' && trimmed !== initial.trim();
  const send = async () => {
    if (!canSend) return;
    setSending(true);
    setError(undefined);
    const problem = await onSend(trimmed);
    // On success this view is left for the fork; only a failure stays here to be read.
    if (problem) {
      setError(problem);
      setSending(false);
    }
  };
  const onKey = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      void send();
    } else if (e.key === 'Escape') {
      // Escape here cancels the edit; it must not also leave the session (the view's own Escape).
      e.preventDefault();
      e.stopPropagation();
      onCancel();
    }
  };

  return (
    <form
      className="prompt-editor"
      data-testid="prompt-editor"
      onSubmit={(e) => {
        e.preventDefault();
        void send();
      }}
    >
      <textarea
        ref={ref}
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKey}
        aria-label="Edit your message"
        aria-describedby="prompt-editor-hint"
        rows={Math.min(10, Math.max(2, text.split('\n').length))}
        disabled={sending}
      />
      <p id="prompt-editor-hint" className="muted prompt-editor-hint">
        Sends in a new session forked before this message; this one stays as it is. <kbd>Enter</kbd> send ·{' '}
        <kbd>Esc</kbd> cancel
      </p>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      <div className="prompt-editor-actions">
        <button type="submit" className="primary" disabled={!canSend}>
          {sending ? 'Forking…' : 'Send edited'}
        </button>
        <button type="button" onClick={onCancel} disabled={sending}>
          Cancel
        </button>
      </div>
    </form>
  );
}
