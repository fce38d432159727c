// The one error type a workflow run fails with: a stable code and a message a user can act on.
import type { RunError, WorkflowErrorCode } from '@boocode/shared/workflow/run-record';

/** A place in the script: lines from 1, columns from 0 (as acorn counts), end exclusive. */
export interface ScriptLocation {
  start: { line: number; column: number };
  end: { line: number; column: number };
}

export class WorkflowError extends Error {
  override readonly name = 'WorkflowError';
  readonly code: WorkflowErrorCode;
  /** Where in the script the problem is, when a static check found it (an editor marks it there). */
  readonly location: ScriptLocation | undefined;

  constructor(code: WorkflowErrorCode, message: string, location?: ScriptLocation) {
    super(message);
    this.code = code;
    this.location = location;
  }

  toRunError(): RunError {
    return { code: this.code, message: this.message };
  }
}
