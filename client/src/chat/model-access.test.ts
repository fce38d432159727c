// Where a turn's calls go, decided from this device's settings and the shared registry: cloud APIs through
// the runner (never without a pairing), local servers directly at a loopback URL or through the runner as the
// device chose, the user's own entries through the runner; anything else said in words.
import type { ProviderStatus } from '@boocode/shared/runner/provider-config';
import { describe, expect, it } from 'vitest';
import { entryOf, resolveModel } from './model-access.ts';
import type { ModelSettings } from './model-settings.ts';

const pairing = { runnerUrl: 'http://127.0.0.1:8788/', token: 'tok' };
const settings = (patch: Partial<ModelSettings>): ModelSettings => ({
  provider: 'deepseek',
  model: 'deepseek-chat',
  local: {},
  runnerProviders: [],
  ...patch,
});
const own: ProviderStatus = {
  id: 'custom-gateway',
  label: 'Gateway',
  baseUrl: 'https://gw.example.com/v1',
  hasKey: true,
  needsKey: true,
  default: false,
  origin: 'custom',
  editableBaseUrl: true,
  structuredOutput: 'tool',
  vision: false,
};

describe('resolveModel', () => {
  it('sends a cloud API through the runner with its header, naming it in errors', () => {
    const r = resolveModel(settings({}), pairing);
    expect(r).toMatchObject({
      access: 'runner',
      endpoint: {
        baseUrl: 'http://127.0.0.1:8788/v1',
        apiKey: 'tok',
        headers: { 'x-boocode-provider': 'deepseek' },
        providerLabel: 'DeepSeek',
      },
    });
  });

  it('refuses in words when a cloud API has no runner to hold its key', () => {
    const r = resolveModel(settings({}), undefined);
    expect(r).toBeInstanceOf(Error);
    expect((r as Error).message).toMatch(
      /not paired with the local runner, which holds the API keys and calls DeepSeek/,
    );
  });

  it('calls a local server directly at its loopback URL by default, or through the runner when chosen', () => {
    const direct = resolveModel(settings({ provider: 'ollama', model: 'llama3' }), undefined);
    expect(direct).toMatchObject({ access: 'direct', endpoint: { baseUrl: 'http://127.0.0.1:11434/v1' } });
    expect((direct as { endpoint: { apiKey?: string } }).endpoint.apiKey).toBeUndefined();
    const viaRunner = resolveModel(
      settings({
        provider: 'lmstudio',
        local: { lmstudio: { access: 'runner', baseUrl: 'http://127.0.0.1:1234/v1' } },
      }),
      pairing,
    );
    expect(viaRunner).toMatchObject({ access: 'runner', endpoint: { headers: { 'x-boocode-provider': 'lmstudio' } } });
  });

  it('never calls a non-loopback address directly, even when one was stored', () => {
    const r = resolveModel(
      settings({ provider: 'ollama', local: { ollama: { access: 'direct', baseUrl: 'http://10.0.0.5:11434/v1' } } }),
      pairing,
    );
    expect(r).toBeInstanceOf(Error);
    expect((r as Error).message).toMatch(
      /^Ollama \(local\): Only a server on this computer \(127\.0\.0\.1 or localhost\)/,
    );
  });

  it('sends the user’s own entry through the runner, with its label and abilities; an unknown one in words', () => {
    const r = resolveModel(settings({ provider: own.id, model: 'm', runnerProviders: [own] }), pairing);
    expect(r).toMatchObject({ entry: { label: 'Gateway', structuredOutput: 'tool', vision: false, origin: 'custom' } });
    const gone = resolveModel(settings({ provider: 'custom-gone' }), pairing);
    expect((gone as Error).message).toMatch(/The provider “custom-gone” is not known here/);
    expect(entryOf('openai', [])?.structuredOutput).toBe('json_schema');
  });
});
