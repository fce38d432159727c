// workflow(name): the search order (extra folders, .boocode, .claude, personal, catalog), a name
// found nowhere (the error lists the folders), a cycle refused with its chain, and names that
// could reach outside a folder.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createNodeWorkflowResolver } from '../src/catalog/node-workflow-lookup.ts';
import { createWorkflowResolver, workflowSearchOrder } from '../src/engine/workflow-resolver.ts';
import { runBody } from './run-helpers.ts';

const script = (name: string, body: string) => `export const meta = { name: '${name}', description: 'test' };\n${body}`;

let root: string;
let project: string;
let home: string;

function put(dir: string, name: string, body: string) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.js`), script(name, body));
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'wf-resolve-'));
  project = join(root, 'project');
  home = join(root, 'home');
  mkdirSync(project);
  mkdirSync(home);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('search order', () => {
  it('extra folder, then .boocode, then .claude, then personal, then the catalog', async () => {
    const catalog = new Map([['who', script('who', `return 'catalog';`)]]);
    const resolve = (extraDirs: string[] = []) =>
      createNodeWorkflowResolver({ projectDir: project, homeDir: home, catalog, extraDirs });
    const found = async (extraDirs?: string[]) => {
      const hit = await resolve(extraDirs)('who');
      return `${hit.place.kind}:${/return '(\w+)'/.exec(hit.source)?.[1]}`;
    };
    expect(await found()).toBe('catalog:catalog');
    put(join(home, '.boocode/workflows'), 'who', `return 'personal';`);
    expect(await found()).toBe('personal:personal');
    put(join(project, '.claude/workflows'), 'who', `return 'claude';`);
    expect(await found()).toBe('project:claude');
    put(join(project, '.boocode/workflows'), 'who', `return 'boocode';`);
    expect(await found()).toBe('project:boocode');
    put(join(root, 'extra'), 'who', `return 'extra';`);
    expect(await found(['../extra'])).toBe('extra:extra');
  });

  it('a name found nowhere fails in words listing every place it looked', async () => {
    const resolve = createNodeWorkflowResolver({
      projectDir: project,
      homeDir: home,
      catalog: new Map(),
      extraDirs: ['more'],
    });
    await expect(resolve('nothing')).rejects.toThrow(
      'workflow("nothing"): no workflow with that name; looked in more, .boocode/workflows, .claude/workflows, ~/.boocode/workflows, the built-in catalog',
    );
  });

  it('a name with a path in it is refused before any folder is read', async () => {
    const looked: string[] = [];
    const resolve = createWorkflowResolver((_place, name) => {
      looked.push(name);
      return undefined;
    }, workflowSearchOrder());
    await expect(resolve('../secrets')).rejects.toThrow('a workflow name is a file name');
    await expect(resolve('.hidden')).rejects.toThrow('a workflow name is a file name');
    expect(looked).toEqual([]);
  });

  it('a workflow file that links outside its folder is not read', async () => {
    writeFileSync(join(root, 'outside.js'), script('outside', 'return 1;'));
    mkdirSync(join(project, '.boocode/workflows'), { recursive: true });
    symlinkSync(join(root, 'outside.js'), join(project, '.boocode/workflows/sneaky.js'));
    const resolve = createNodeWorkflowResolver({ projectDir: project, homeDir: home, catalog: new Map() });
    await expect(resolve('sneaky')).rejects.toThrow('links outside its folder');
  });
});

describe('nested runs through the resolver', () => {
  it('a project workflow calls a personal one', async () => {
    put(join(home, '.boocode/workflows'), 'helper', `return 'helped ' + args.what;`);
    const resolveWorkflow = createNodeWorkflowResolver({ projectDir: project, homeDir: home, catalog: new Map() });
    const { outcome, store } = await runBody(`return await workflow('helper', { what: 'x' });`, { resolveWorkflow });
    expect(outcome.result).toBe('helped x');
    expect(store.state.log.map((l) => l.message)).toContain('workflow helper starts (from ~/.boocode/workflows)');
  });

  it('a cycle (A runs B runs A) is refused with the chain', async () => {
    put(join(project, '.boocode/workflows'), 'a', `return await workflow('b');`);
    put(join(project, '.boocode/workflows'), 'b', `return await workflow('a');`);
    const resolveWorkflow = createNodeWorkflowResolver({ projectDir: project, homeDir: home, catalog: new Map() });
    const source = script('a', `return await workflow('b');`);
    const { outcome } = await runBody('', { source, resolveWorkflow });
    expect(outcome.status).toBe('failed');
    expect(outcome.error?.message).toContain('workflow("a"): refused, it would run itself: a → b → a');
  });

  it('a workflow that calls itself is refused with the chain', async () => {
    const source = script('self', `return await workflow('self');`);
    const resolveWorkflow = createWorkflowResolver(() => source);
    const { outcome } = await runBody('', { source, resolveWorkflow });
    expect(outcome.error?.message).toContain('refused, it would run itself: self → self');
  });

  it('a missing nested workflow fails the run listing where it looked', async () => {
    const resolveWorkflow = createNodeWorkflowResolver({ projectDir: project, homeDir: home, catalog: new Map() });
    const { outcome } = await runBody(`return await workflow('ghost');`, { resolveWorkflow });
    expect(outcome.error?.message).toContain(
      'workflow("ghost"): no workflow with that name; looked in .boocode/workflows, .claude/workflows, ~/.boocode/workflows, the built-in catalog',
    );
  });
});
