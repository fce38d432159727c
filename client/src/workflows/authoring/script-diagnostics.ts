// What the engine would refuse in a workflow script, as marks for an editor: the same checkScript the
// engine runs before a run (meta first and pure, no imports, no TypeScript), its refusal placed at the
// offsets of the line and column it names. A refusal without a place marks the first line.
import { WorkflowError } from '@boocode/workflows/engine/workflow-error';
import { checkScript } from '@boocode/workflows/script/check-script';

export interface ScriptDiagnostic {
  /** Offsets into the source, end exclusive (what CodeMirror's lint marks). */
  from: number;
  to: number;
  /** 1-based, for the problem list. */
  line: number;
  code: string;
  message: string;
}

export function scriptDiagnostics(source: string): ScriptDiagnostic[] {
  try {
    checkScript(source);
    return [];
  } catch (error) {
    if (!(error instanceof WorkflowError)) {
      return [{ from: 0, to: lineEnd(source, 0), line: 1, code: 'SCRIPT_ERROR', message: String(error) }];
    }
    const starts = lineStarts(source);
    const at = error.location;
    let from = at ? offsetOf(source, starts, at.start.line, at.start.column) : 0;
    let to = at ? offsetOf(source, starts, at.end.line, at.end.column) : lineEnd(source, 0);
    // An empty range still needs something to underline: at the end of the text, its last character.
    if (to <= from) {
      if (from < source.length) to = from + 1;
      else [from, to] = [Math.max(0, source.length - 1), source.length];
    }
    return [{ from, to, line: at?.start.line ?? 1, code: error.code, message: error.message }];
  }
}

function lineStarts(source: string): number[] {
  const starts = [0];
  for (let i = 0; i < source.length; i++) if (source[i] === '\n') starts.push(i + 1);
  return starts;
}

function offsetOf(source: string, starts: number[], line: number, column: number): number {
  const start = starts[Math.min(Math.max(line, 1), starts.length) - 1] ?? 0;
  return Math.min(start + Math.max(column, 0), source.length);
}

function lineEnd(source: string, from: number): number {
  const end = source.indexOf('\n', from);
  return end < 0 ? source.length : end;
}
