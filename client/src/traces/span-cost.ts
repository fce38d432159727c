// Cost and cache savings of a model span: the engine's recorded cost when it wrote one, otherwise the
// provider's published price for the model. Unknown prices give undefined, never a made-up figure.
import type { Span } from '@boocode/shared/doc/session-schema';
import { cacheSavingsOf, costOf, type ModelPrice, modelPrice, PROVIDER_PRESETS } from '@boocode/shared/model/providers';

export function priceOf(provider: string | undefined, model: string | undefined): ModelPrice | undefined {
  if (!model) return undefined;
  const preset = PROVIDER_PRESETS.find((p) => p.id === provider);
  if (preset) return modelPrice(preset.id, model);
  // No provider in the meta: a model id that only one preset prices is still unambiguous.
  const priced = PROVIDER_PRESETS.filter((p) => p.models[model]);
  return priced.length === 1 ? priced[0]!.models[model] : undefined;
}

export function spanCost(span: Span, provider: string | undefined): number | undefined {
  if (span.cost !== undefined) return span.cost;
  if (!span.usage) return undefined;
  return costOf(span.usage, priceOf(provider, span.model));
}

export function spanSavings(span: Span, provider: string | undefined): number | undefined {
  if (!span.usage) return undefined;
  return cacheSavingsOf(span.usage, priceOf(provider, span.model));
}
