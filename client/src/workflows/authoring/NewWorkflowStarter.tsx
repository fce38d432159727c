// "Write a workflow": pick where it starts (the template, or a copy of any listed workflow) and open
// the editor. Small and in the pane's own chunk; the editor and CodeMirror load only on "New workflow".
import { useState } from 'react';
import type { InspectedEntry } from '../workflow-catalog.ts';
import { BLANK_TEMPLATE, copyName } from './workflow-templates.ts';

export interface EditorStart {
  /** Loads the text the editor starts with. */
  load(): Promise<string>;
  name: string;
  startedFrom: string;
}

export function NewWorkflowStarter({
  entries,
  onStart,
}: {
  entries: InspectedEntry[] | undefined;
  onStart(start: EditorStart): void;
}) {
  const [from, setFrom] = useState('');
  const [problem, setProblem] = useState<string>();
  const start = async () => {
    setProblem(undefined);
    const entry = entries?.find((e) => e.name === from);
    if (!entry) {
      onStart({ load: async () => BLANK_TEMPLATE, name: 'my-workflow', startedFrom: 'the template' });
      return;
    }
    onStart({ load: entry.load, name: copyName(entry.name), startedFrom: `a copy of ${entry.name} (${entry.origin})` });
  };
  return (
    <section className="wf-new" aria-label="Write a workflow">
      <h2 className="wf-heading">Write a workflow</h2>
      <div className="wf-new-row">
        <label>
          Start from
          <select data-testid="workflow-new-from" value={from} onChange={(e) => setFrom(e.target.value)}>
            <option value="">the template</option>
            {entries?.map((e) => (
              <option key={e.name} value={e.name}>
                a copy of {e.name} ({e.origin})
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          data-testid="workflow-new"
          onClick={() => void start().catch((e) => setProblem(String(e)))}
        >
          New workflow
        </button>
      </div>
      {problem && <p className="error-text">{problem}</p>}
    </section>
  );
}
