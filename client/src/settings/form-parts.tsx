// Pieces every settings form shares: a secret field with Show/Hide, and the Save row with its status note.
import { useState } from 'react';

export function SecretField({
  label,
  value,
  onChange,
  testId,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  testId: string;
}) {
  const [shown, setShown] = useState(false);
  return (
    <label>
      <span>{label}</span>
      <span className="inline">
        <input
          type={shown ? 'text' : 'password'}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          autoComplete="off"
          spellCheck={false}
          data-testid={testId}
        />
        <button type="button" onClick={() => setShown((s) => !s)}>
          {shown ? 'Hide' : 'Show'}
        </button>
      </span>
    </label>
  );
}

export function SaveRow({ note, disabled, testId }: { note: string; disabled?: boolean; testId?: string }) {
  return (
    <div className="form-actions">
      <button type="submit" className="primary" disabled={disabled} data-testid={testId}>
        Save
      </button>
      <span className="muted" role="status">
        {note}
      </span>
    </div>
  );
}
