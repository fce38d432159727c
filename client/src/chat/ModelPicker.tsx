// Picks the model for the next turn from the provider's /models (when it answers), always keeping the
// current choice and saying when the server does not list it. Scripted models are labelled as such, never
// passed off as real ones.
import { isScriptedModel } from '@boocode/shared/model/providers';
import { Link } from '@tanstack/react-router';
import { useEffect, useState } from 'react';
import { useServices } from '../docs/doc-context.tsx';
import { useModelSettings, useRunnerPairing } from './chat-hooks.ts';
import { fetchModelList, resolveModel } from './model-access.ts';
import { writeModelSettings } from './model-settings.ts';

export function modelLabel(model: string): string {
  return isScriptedModel(model) ? `${model} (scripted)` : model;
}

export function ModelPicker() {
  const { db } = useServices();
  const settings = useModelSettings();
  const pairing = useRunnerPairing();
  const [listed, setListed] = useState<string[]>();
  const [problem, setProblem] = useState<string>();
  const resolved = settings && pairing !== undefined ? resolveModel(settings, pairing ?? undefined) : undefined;
  const endpointKey = resolved && !(resolved instanceof Error) ? JSON.stringify(resolved.endpoint) : undefined;

  // biome-ignore lint/correctness/useExhaustiveDependencies: endpointKey stands for the resolved endpoint
  useEffect(() => {
    if (!resolved) return;
    if (resolved instanceof Error) {
      setListed(undefined);
      setProblem(resolved.message);
      return;
    }
    const ctrl = new AbortController();
    fetchModelList(resolved.endpoint, ctrl.signal).then(
      (models) => {
        setListed(models);
        setProblem(undefined);
      },
      (e: unknown) => {
        if (ctrl.signal.aborted) return;
        setListed(undefined);
        setProblem(`Could not list models: ${e instanceof Error ? e.message : String(e)}`);
      },
    );
    return () => ctrl.abort();
  }, [endpointKey, resolved instanceof Error ? resolved.message : '']);

  if (!settings) return null;
  const entry = resolved && !(resolved instanceof Error) ? resolved.entry : undefined;
  const known = Object.keys(entry?.models ?? {});
  const options = [...new Set([settings.model, ...(listed ?? []), ...known].filter(Boolean))];
  const unlisted = listed && listed.length > 0 && settings.model && !listed.includes(settings.model);
  const note = problem ?? (unlisted ? `“${settings.model}” is not among the models ${entry?.label} lists.` : undefined);
  return (
    <span className="model-picker">
      <Link to="/settings" className="muted provider" title="Change the provider in Settings">
        {entry?.scripted ? 'Scripted model' : (entry?.label ?? settings.provider)}
      </Link>
      <select
        aria-label="Model"
        value={settings.model}
        onChange={(e) => void writeModelSettings(db, { model: e.target.value })}
        data-testid="model-picker"
        title={note}
      >
        {options.map((m) => (
          <option key={m} value={m}>
            {modelLabel(m)}
          </option>
        ))}
      </select>
      {unlisted && (
        <span className="tag danger" data-testid="model-unlisted" title={note}>
          not listed
        </span>
      )}
      {isScriptedModel(settings.model) && (
        <span className="tag scripted" data-testid="scripted-label">
          scripted model
        </span>
      )}
    </span>
  );
}
