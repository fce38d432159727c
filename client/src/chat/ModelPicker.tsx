// Picks the model for the next turn from the provider's /models (when it answers), always keeping the
// current choice. Scripted models are labelled as such, never passed off as real ones.
import { isScriptedModel, providerPreset } from '@boocode/shared/model/providers';
import { Link } from '@tanstack/react-router';
import { useEffect, useState } from 'react';
import { useServices } from '../docs/doc-context.tsx';
import { useModelSettings, useRunnerPairing } from './chat-hooks.ts';
import { fetchModelList, modelEndpoint } from './model-access.ts';
import { writeModelSettings } from './model-settings.ts';

export function modelLabel(model: string): string {
  return isScriptedModel(model) ? `${model} (scripted)` : model;
}

export function ModelPicker() {
  const { db } = useServices();
  const settings = useModelSettings();
  const pairing = useRunnerPairing();
  const [listed, setListed] = useState<string[]>([]);
  const [problem, setProblem] = useState<string>();

  useEffect(() => {
    if (!settings || pairing === undefined) return;
    const endpoint = modelEndpoint(settings, pairing ?? undefined);
    if (endpoint instanceof Error) {
      setListed([]);
      setProblem(endpoint.message);
      return;
    }
    const ctrl = new AbortController();
    fetchModelList(endpoint, ctrl.signal).then(
      (models) => {
        setListed(models);
        setProblem(undefined);
      },
      (e: unknown) => {
        if (ctrl.signal.aborted) return;
        setListed([]);
        setProblem(`Could not list models: ${e instanceof Error ? e.message : String(e)}`);
      },
    );
    return () => ctrl.abort();
  }, [settings, pairing]);

  if (!settings) return null;
  const preset = providerPreset(settings.provider);
  const options = [...new Set([settings.model, ...listed, ...Object.keys(preset.models)].filter(Boolean))];
  return (
    <span className="model-picker">
      <Link to="/settings" className="muted provider" title="Change the provider in Settings">
        {preset.scripted ? 'Scripted model' : preset.label}
      </Link>
      <select
        aria-label="Model"
        value={settings.model}
        onChange={(e) => void writeModelSettings(db, { model: e.target.value })}
        data-testid="model-picker"
        title={problem}
      >
        {options.map((m) => (
          <option key={m} value={m}>
            {modelLabel(m)}
          </option>
        ))}
      </select>
      {isScriptedModel(settings.model) && (
        <span className="tag scripted" data-testid="scripted-label">
          scripted model
        </span>
      )}
    </span>
  );
}
