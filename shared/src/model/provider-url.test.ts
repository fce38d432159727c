import { describe, expect, it } from 'vitest';
import { checkBaseUrl, isLoopbackUrl } from './provider-url.ts';
import { directAllowed, PROVIDER_PRESETS } from './providers.ts';

const runner = { access: 'runner' as const, needsKey: true };

describe('base URLs, checked in words', () => {
  it('accepts a server address and normalises the trailing slash', () => {
    expect(checkBaseUrl(' https://api.example.com/v1/ ', runner)).toEqual({
      ok: true,
      url: 'https://api.example.com/v1',
    });
    expect(checkBaseUrl('http://127.0.0.1:11434/v1', { access: 'direct', needsKey: false })).toEqual({
      ok: true,
      url: 'http://127.0.0.1:11434/v1',
    });
  });

  it.each([
    ['not a url', /“not a url” is not a URL: write the whole address with http:\/\/ or https:\/\//],
    ['', /Type the server’s base URL/],
    ['/v1', /is not a URL/],
    ['localhost:11434', /starts with localhost:/],
    ['javascript:alert(1)', /starts with javascript:/],
    ['https://k:secret@api.example.com/v1', /Put the API key in the key field/],
    ['https://api.example.com/v1?x=1', /no \?query or #fragment/],
    ['https://api.example.com/v1/models', /without \/models at the end.*https:\/\/api\.example\.com\/v1\./],
    ['http://api.example.com/v1', /unencrypted to api\.example\.com: use https:\/\//],
  ])('refuses %j', (raw, words) => {
    const r = checkBaseUrl(raw, runner);
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.message).toMatch(words);
  });

  it('calls only this machine directly; everything else goes through the runner', () => {
    const direct = { access: 'direct' as const, needsKey: false };
    expect(checkBaseUrl('http://192.168.1.9:8000/v1', direct)).toMatchObject({
      ok: false,
      message: expect.stringMatching(/Only a server on this computer.*through the runner/),
    });
    for (const url of ['http://localhost:1234/v1', 'http://[::1]:8000/v1', 'http://127.0.0.2:9/v1'])
      expect(isLoopbackUrl(url), url).toBe(true);
    // The app's CSP lets the page reach 127.0.0.1 and localhost only: other loopback spellings go through the runner.
    expect(checkBaseUrl('http://[::1]:8000/v1', direct)).toMatchObject({
      ok: false,
      message: expect.stringMatching(/only at 127\.0\.0\.1 or localhost/),
    });
    expect(isLoopbackUrl('http://127.0.0.1.evil.example/v1')).toBe(false);
    expect(isLoopbackUrl('http://localhost.evil.example/v1')).toBe(false);
  });

  it('allows direct calls only to keyless presets on loopback', () => {
    const direct = PROVIDER_PRESETS.filter((p) => directAllowed(p)).map((p) => p.id);
    expect(direct).toEqual(['ollama', 'lmstudio', 'openai-compatible', 'scripted']);
    expect(directAllowed({ needsKey: false, baseUrl: 'http://127.0.0.1:1234/v1' }, true)).toBe(false);
  });
});
