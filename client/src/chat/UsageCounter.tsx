// Running token and cost count of a session, summed from its model spans (each carries the provider's
// usage and the cost at the model's price). Cost shows only when at least one call had a known price.
import type { Span } from '@boocode/shared/doc/session-schema';

export function sessionUsage(spans: Span[]) {
  let prompt = 0;
  let completion = 0;
  let cacheHit = 0;
  let cost: number | undefined;
  for (const s of spans) {
    if (s.kind !== 'model' || !s.usage?.reported) continue;
    prompt += s.usage.prompt;
    completion += s.usage.completion;
    cacheHit += s.usage.cacheHit ?? 0;
    if (s.cost !== undefined) cost = (cost ?? 0) + s.cost;
  }
  return { prompt, completion, cacheHit, cost };
}

export function UsageCounter({ spans }: { spans: Span[] }) {
  const u = sessionUsage(spans);
  const total = u.prompt + u.completion;
  return (
    <span
      className="usage-counter muted"
      data-testid="usage-counter"
      title={`${u.prompt} prompt tokens (${u.cacheHit} from cache), ${u.completion} completion tokens`}
    >
      {total.toLocaleString()} tokens{u.cost !== undefined ? ` · $${u.cost.toFixed(u.cost < 0.01 ? 4 : 2)}` : ''}
    </span>
  );
}
