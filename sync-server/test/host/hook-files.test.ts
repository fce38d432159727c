// The hooks files a host reads at start: the personal one in the runner's data folder and the workspace's
// `.boocode/hooks.json`; a missing file is no file, a bad one is listed with why (never dropped).
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadHookFiles } from '../../src/host/host-hooks.ts';

let root: string | undefined;
afterEach(async () => {
  if (root) await rm(root, { recursive: true, force: true });
  root = undefined;
});

describe('loadHookFiles', () => {
  it('reads the personal file and the workspace file, skips missing ones and keeps a bad one with its line', async () => {
    root = await mkdtemp(join(tmpdir(), 'boocode-hookfiles-'));
    const workspace = join(root, 'ws');
    const data = join(root, 'runner');
    await mkdir(join(workspace, '.boocode'), { recursive: true });
    await mkdir(data, { recursive: true });
    expect(await loadHookFiles(workspace, data)).toEqual([]);

    await writeFile(
      join(data, 'hooks.json'),
      JSON.stringify({ hooks: [{ on: 'turn.done', post: 'https://x.example/h' }] }),
    );
    await writeFile(
      join(workspace, '.boocode', 'hooks.json'),
      '{\n  "hooks": [\n    { "on": "turn.done" "run": "x" }\n  ]\n}',
    );
    const files = await loadHookFiles(workspace, data);
    expect(files.map((f) => [f.scope, f.file, f.hooks.length])).toEqual([
      ['personal', join(data, 'hooks.json'), 1],
      ['workspace', join(workspace, '.boocode', 'hooks.json'), 0],
    ]);
    expect(files[1]?.error).toMatchObject({ line: 3 });
  });
});
