// Workflow discovery: project (.boocode/workflows, .claude/workflows) and personal
// (~/.boocode/workflows) scripts, project winning on a name clash, sources readable by name.
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunnerFixture, startRunner } from './runner-fixture.ts';

let f: RunnerFixture;
beforeAll(async () => {
  f = await startRunner();
  const project = join(f.workspace, '.boocode/workflows');
  const claude = join(f.workspace, '.claude/workflows');
  const personal = join(f.home, '.boocode/workflows');
  await Promise.all([project, claude, personal].map((d) => mkdir(d, { recursive: true })));
  await writeFile(join(project, 'review.js'), '// project review');
  await writeFile(join(project, 'notes.txt'), 'not a workflow');
  await writeFile(join(claude, 'triage.js'), '// claude triage');
  await writeFile(join(personal, 'review.js'), '// personal review');
  await writeFile(join(personal, 'mine.js'), '// personal mine');
  await symlink(join(f.outside, 'secret.txt'), join(project, 'leak.js'));
});
afterAll(() => f.close());

describe('workflow discovery', () => {
  it('lists project and personal workflows, project winning on a clash', async () => {
    const { workflows } = (await f.get('/workflows')).json();
    expect(workflows).toEqual([
      { name: 'leak', source: 'project', location: '.boocode/workflows/leak.js' },
      { name: 'mine', source: 'personal', location: '~/.boocode/workflows/mine.js' },
      { name: 'review', source: 'project', location: '.boocode/workflows/review.js' },
      { name: 'triage', source: 'project', location: '.claude/workflows/triage.js' },
    ]);
  });
  it('returns the source of one workflow', async () => {
    expect((await f.get('/workflows/review')).json()).toMatchObject({ source: 'project', code: '// project review' });
    expect((await f.get('/workflows/mine')).json()).toMatchObject({ source: 'personal', code: '// personal mine' });
  });
  it('refuses a project workflow that is a symlink to outside the workspace', async () => {
    const res = await f.get('/workflows/leak');
    expect(res.status).toBe(403);
    expect(res.text).not.toContain('outside secret');
  });
  it('refuses names that are not plain file names', async () => {
    expect((await f.get('/workflows/..%2f..%2fsecret')).status).toBe(400);
    expect((await f.get('/workflows/nope')).status).toBe(404);
  });
});
