// The CodeMirror 6 view of a workflow script: JavaScript highlighting, line numbers, undo, and the
// engine's refusals as lint marks (gutter and underline) on their lines. Only the editor chunk
// imports this, so CodeMirror is fetched when the editor opens, never with the app.
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { javascript } from '@codemirror/lang-javascript';
import { bracketMatching, defaultHighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { lintGutter, setDiagnostics } from '@codemirror/lint';
import { EditorState } from '@codemirror/state';
import { EditorView, highlightActiveLine, keymap, lineNumbers } from '@codemirror/view';
import type { ScriptDiagnostic } from './script-diagnostics.ts';

export function createScriptEditorView(
  parent: HTMLElement,
  source: string,
  onChange: (source: string) => void,
): EditorView {
  return new EditorView({
    parent,
    state: EditorState.create({
      doc: source,
      extensions: [
        lineNumbers(),
        history(),
        highlightActiveLine(),
        bracketMatching(),
        javascript(),
        syntaxHighlighting(defaultHighlightStyle),
        lintGutter(),
        // No Tab binding: Tab leaves the editor, so keyboard users are never trapped in it.
        keymap.of([...defaultKeymap, ...historyKeymap]),
        EditorView.contentAttributes.of({ 'aria-label': 'Workflow script', 'data-testid': 'workflow-editor-content' }),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) onChange(update.state.doc.toString());
        }),
      ],
    }),
  });
}

/** Shows exactly these problems (the editor's own linter is not used: the check runs once, in React). */
export function showDiagnostics(view: EditorView, diagnostics: ScriptDiagnostic[]): void {
  const length = view.state.doc.length;
  view.dispatch(
    setDiagnostics(
      view.state,
      diagnostics.map((d) => ({
        from: Math.min(d.from, length),
        to: Math.min(d.to, length),
        severity: 'error' as const,
        source: d.code,
        message: d.message,
      })),
    ),
  );
}

/** Puts the cursor at a problem and the focus in the editor (from the problem list). */
export function revealProblem(view: EditorView, at: number): void {
  view.dispatch({ selection: { anchor: Math.min(at, view.state.doc.length) }, scrollIntoView: true });
  view.focus();
}
