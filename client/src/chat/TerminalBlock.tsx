// A finished run_command as a terminal: the command line, stdout and stderr apart (stderr in the error
// colour), then how it ended (exit code, timeout, cancel), how long it took, and how much output the
// runner's cap dropped. Long output folds with "Show all".
import type { RunCommandResult } from '@boocode/shared/runner/tool-contracts';
import { FoldedText } from './FoldedText.tsx';
import { commandState, commandStateLabel, formatBytes, formatDuration } from './tool-output.ts';

export function commandLineOf(args: unknown): string | undefined {
  if (!args || typeof args !== 'object') return undefined;
  const { command, args: argv } = args as { command?: unknown; args?: unknown };
  if (typeof command !== 'string') return undefined;
  const rest = Array.isArray(argv) ? argv.map((a) => (/[\s"'$]/.test(String(a)) ? JSON.stringify(a) : String(a))) : [];
  return [command, ...rest].join(' ');
}

export function TerminalBlock({ commandLine, result }: { commandLine?: string; result: RunCommandResult }) {
  const state = commandState(result);
  const empty = !result.stdout && !result.stderr;
  return (
    <div className={`terminal state-${state}`} data-testid="terminal">
      {commandLine && (
        <div className="terminal-command">
          <span aria-hidden="true">$ </span>
          {commandLine}
        </div>
      )}
      {result.stdout && <FoldedText text={result.stdout} className="terminal-stdout" testId="terminal-stdout" />}
      {result.stderr && (
        <>
          <div className="terminal-stream-label">stderr</div>
          <FoldedText text={result.stderr} className="terminal-stderr" testId="terminal-stderr" />
        </>
      )}
      {empty && <div className="terminal-empty">(no output)</div>}
      <div className="terminal-footer" data-testid="terminal-footer">
        <span className={`terminal-state state-${state}`} data-testid="terminal-state">
          {commandStateLabel(result)}
        </span>
        {result.timedOut && <span>after the {formatDuration(result.timeoutMs)} limit</span>}
        <span>{formatDuration(result.durationMs)}</span>
        {result.truncated && (
          <span className="terminal-truncated" data-testid="terminal-truncated">
            truncated: {formatBytes(result.droppedBytes)} dropped
          </span>
        )}
      </div>
    </div>
  );
}
