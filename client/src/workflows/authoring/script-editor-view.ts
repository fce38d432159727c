// The CodeMirror 6 view of a workflow script: JavaScript highlighting, line numbers, undo, and the
// engine's refusals as lint marks (gutter and underline) on their lines. Only the editor chunk
// imports this, so CodeMirror is fetched when the editor opens, never with the app.
// CSP: CodeMirror's styles (style-mod) go into a <style> element when mounted in a document, which
// the server's `style-src 'self'` refuses (and a nonce cannot work for a precached app shell). In a
// shadow root it uses constructable stylesheets (adoptedStyleSheets), which the CSP allows; so the
// view lives in its host's shadow root and its look is a CodeMirror theme (our CSS file does not reach
// inside; the app's CSS variables do).
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { javascript } from '@codemirror/lang-javascript';
import { bracketMatching, defaultHighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { lintGutter, setDiagnostics } from '@codemirror/lint';
import { EditorState } from '@codemirror/state';
import { EditorView, highlightActiveLine, keymap, lineNumbers } from '@codemirror/view';
import type { ScriptDiagnostic } from './script-diagnostics.ts';

const look = EditorView.theme({
  '&': { height: 'min(55vh, 420px)', fontSize: '12.5px', background: 'var(--panel)', color: 'var(--text)' },
  '&.cm-focused': { outline: '2px solid var(--accent)', outlineOffset: '-2px' },
  '.cm-scroller': { fontFamily: 'var(--mono)', lineHeight: '1.45' },
  '.cm-content': { caretColor: 'var(--text)' },
  '.cm-gutters': { background: 'var(--panel-2)', color: 'var(--muted)', borderRightColor: 'var(--border)' },
});

export function createScriptEditorView(
  host: HTMLElement,
  source: string,
  onChange: (source: string) => void,
): EditorView {
  const root = host.shadowRoot ?? host.attachShadow({ mode: 'open' });
  root.replaceChildren();
  return new EditorView({
    root,
    parent: root,
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
        look,
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
