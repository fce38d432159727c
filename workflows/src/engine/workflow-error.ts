// The one error type a workflow run fails with: a stable code and a message a user can act on.
import type { RunError, WorkflowErrorCode } from '@boocode/shared/workflow/run-record';

export class WorkflowError extends Error {
  override readonly name = 'WorkflowError';
  readonly code: WorkflowErrorCode;

  constructor(code: WorkflowErrorCode, message: string) {
    super(message);
    this.code = code;
  }

  toRunError(): RunError {
    return { code: this.code, message: this.message };
  }
}
