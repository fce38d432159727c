// A finished child's result as the lead received it: who, how it ended, its answer, and a link to its session.
import type { ParsedResultMessage } from '@boocode/shared/agent/subagents/result-message';
import { Link } from '@tanstack/react-router';
import { Markdown } from '../chat/Markdown.tsx';
import './agents.css';

export function SubagentResultCard({ result }: { result: ParsedResultMessage }) {
  return (
    <div
      className={`subagent-result status-${result.status}`}
      data-testid="subagent-result"
      data-status={result.status}
    >
      <div className="subagent-result-head">
        <span>
          Subagent <strong>{result.label}</strong> {result.status}
        </span>
        <Link to="/s/$sessionId" params={{ sessionId: result.childId }} data-testid="subagent-result-open">
          Open its session
        </Link>
      </div>
      {result.body && <Markdown text={result.body} streaming={false} />}
    </div>
  );
}
