// The approval policy (shared/src/runner/approval-policy.ts): read-only tools run freely,
// writes and commands ask unless allowed, deny always wins, and shell syntax never matches an
// allow rule, so chaining and substitution cannot smuggle a second command.
import { type ApprovalRule, evaluateApproval, mayRun, suggestAllowRule } from '@boocode/shared/runner/approval-policy';
import { pairingUrl, parsePairingFragment } from '@boocode/shared/runner/pairing';
import { modelToolDefinitions } from '@boocode/shared/runner/tool-definitions';
import { describe, expect, it } from 'vitest';

const cmd = (command: string, args?: string[], shell?: boolean) => ({
  tool: 'run_command' as const,
  input: { command, args, shell },
});
const allowLs: ApprovalRule = { effect: 'allow', tool: 'run_command', command: 'ls *' };

describe('approval policy', () => {
  it('lets read-only tools run and makes writes ask', () => {
    expect(evaluateApproval({ tool: 'read_file', input: { path: 'a' } }, []).decision).toBe('allow');
    expect(evaluateApproval({ tool: 'grep', input: { pattern: 'a' } }, []).decision).toBe('allow');
    expect(evaluateApproval({ tool: 'write_file', input: { path: 'a', content: '' } }, []).decision).toBe('ask');
    expect(evaluateApproval({ tool: 'edit_file', input: {} }, []).decision).toBe('ask');
    expect(evaluateApproval(cmd('ls'), []).decision).toBe('ask');
  });

  it('allows by tool rule and by command pattern', () => {
    expect(
      evaluateApproval({ tool: 'write_file', input: {} }, [{ effect: 'allow', tool: 'write_file' }]).decision,
    ).toBe('allow');
    expect(evaluateApproval(cmd('ls', ['-la', 'src']), [allowLs]).decision).toBe('allow');
    expect(evaluateApproval(cmd('ls', []), [allowLs]).decision).toBe('allow');
    const exact: ApprovalRule = { effect: 'allow', tool: 'run_command', command: 'git status' };
    expect(evaluateApproval(cmd('git', ['status']), [exact]).decision).toBe('allow');
    expect(evaluateApproval(cmd('git', ['status', '--porcelain']), [exact]).decision).toBe('ask');
    expect(evaluateApproval(cmd('git', ['push']), [exact]).decision).toBe('ask');
  });

  it('lets deny win over allow, and over the user approval', () => {
    const rules: ApprovalRule[] = [
      { effect: 'allow', tool: '*' },
      { effect: 'deny', tool: 'run_command', command: 'rm *' },
      { effect: 'deny', tool: 'write_file' },
    ];
    const rm = evaluateApproval(cmd('rm', ['-rf', 'src']), rules);
    expect(rm.decision).toBe('deny');
    expect(mayRun(rm, true)).toBe(false);
    expect(evaluateApproval({ tool: 'write_file', input: {} }, rules).decision).toBe('deny');
    expect(evaluateApproval({ tool: 'edit_file', input: {} }, rules).decision).toBe('allow');
    expect(evaluateApproval({ tool: 'read_file', input: {} }, [{ effect: 'deny', tool: 'read_file' }]).decision).toBe(
      'deny',
    );
  });

  it('matches deny rules on the program base name and inside chains', () => {
    const deny: ApprovalRule[] = [{ effect: 'deny', tool: 'run_command', command: 'rm *' }];
    expect(evaluateApproval(cmd('/bin/rm', ['-rf', '/']), deny).decision).toBe('deny');
    expect(evaluateApproval(cmd('ls; rm -rf /', [], true), deny).decision).toBe('deny');
    expect(evaluateApproval(cmd('ls && rm -rf /', [], true), deny).decision).toBe('deny');
    expect(evaluateApproval(cmd('echo $(rm -rf /)', [], true), deny).decision).toBe('deny');
  });

  // Issue 15.8: a deny rule looks behind programs that run another program.
  it.each([
    ['command rm -rf src', undefined],
    ['env rm -rf src', undefined],
    ['env -i FOO=1 rm -rf src', undefined],
    ['/usr/bin/env rm -rf src', undefined],
    ["sh -c 'rm -rf src'", undefined],
    ['bash -lc "rm -rf src"', undefined],
    ["bash -c 'ls; rm -rf src'", undefined],
    ['nice rm -rf src', undefined],
    ['nice -n 10 rm -rf src', undefined],
    ['timeout 5 rm -rf src', undefined],
    ['timeout -s KILL 5 rm -rf src', undefined],
    ['ls | xargs rm -rf', undefined],
    ['xargs -0 rm -rf', undefined],
    ['/bin/rm -rf src', undefined],
    ['\\rm -rf src', undefined],
    ["'rm' -rf src", undefined],
    ['sh -c "env sh -c \'rm -rf src\'"', undefined],
    ['find . -name x -exec rm -rf {} ;', undefined],
    ['sudo -u me rm -rf src', undefined],
    ['nohup nice timeout 5 env A=1 rm -rf src', undefined],
  ])('a deny rule catches rm behind a wrapper, as a shell line: %s', (line) => {
    const deny: ApprovalRule[] = [
      { effect: 'allow', tool: '*' },
      { effect: 'deny', tool: 'run_command', command: 'rm *' },
    ];
    const decision = evaluateApproval(cmd(line, [], true), deny);
    expect(decision.decision).toBe('deny');
    expect(mayRun(decision, true)).toBe(false);
  });

  it.each([
    ['command', ['rm', '-rf', 'src']],
    ['env', ['rm', '-rf', 'src']],
    ['sh', ['-c', 'rm -rf src']],
    ['bash', ['-lc', 'cd x && rm -rf src']],
    ['nice', ['rm', '-rf', 'src']],
    ['timeout', ['5', 'rm', '-rf', 'src']],
    ['xargs', ['rm', '-rf']],
    ['/bin/rm', ['-rf', 'src']],
    ['env', ['-S', 'rm -rf src']],
    ['timeout', ['5', 'sh', '-c', 'nice rm -rf src']],
  ])('a deny rule catches rm behind a wrapper, without a shell: %s %j', (program, args) => {
    const decision = evaluateApproval(cmd(program, args), [
      { effect: 'allow', tool: 'run_command' },
      { effect: 'deny', tool: 'run_command', command: 'rm -rf *' },
    ]);
    expect(decision.decision).toBe('deny');
  });

  it('matches the arguments of a wrapped program too, and leaves other programs alone', () => {
    const deny: ApprovalRule[] = [{ effect: 'deny', tool: 'run_command', command: 'git push *' }];
    expect(evaluateApproval(cmd('timeout', ['60', 'git', 'push', 'origin']), deny).decision).toBe('deny');
    expect(evaluateApproval(cmd('timeout', ['60', 'git', 'status']), deny).decision).toBe('ask');
    expect(
      evaluateApproval(cmd('echo', ['rm', '-rf', 'src']), [
        { effect: 'deny', tool: 'run_command', command: 'rm -rf *' },
      ]).decision,
    ).toBe('ask');
    // A very long wrapped command is still read in one pass (no copy per word per rule).
    const long = Array.from({ length: 5000 }, () => 'env');
    expect(
      evaluateApproval(cmd('env', [...long, 'rm', '-rf', 'x']), [
        { effect: 'deny', tool: 'run_command', command: 'rm *' },
      ]).decision,
    ).toBe('deny');
  });

  it.each([
    ['ls; rm -rf /'],
    ['ls && rm -rf /'],
    ['ls || rm -rf /'],
    ['ls | sh'],
    ['ls $(rm -rf /)'],
    ['ls `rm -rf /`'],
    ['ls\nrm -rf /'],
    ['ls > /etc/passwd'],
    ['ls & rm -rf /'],
    ['ls ~/.ssh/*'],
    ['PATH=/tmp/evil ls'],
  ])('never lets shell syntax match an allow rule: %j', (line) => {
    const decision = evaluateApproval(cmd(line, [], true), [allowLs, { effect: 'allow', tool: 'run_command' }]);
    expect(decision.decision).toBe('ask');
    expect(mayRun(decision, false)).toBe(false);
  });

  it('does not let metacharacters in arguments or a disguised program match an allow rule', () => {
    expect(evaluateApproval(cmd('ls', ['; rm -rf /']), [allowLs]).decision).toBe('ask');
    expect(evaluateApproval(cmd('./ls', ['x']), [allowLs]).decision).toBe('ask');
    expect(evaluateApproval(cmd('ls -la'), [allowLs]).decision).toBe('ask'); // a program with a space is not ls
  });

  it('runs an "ask" only with the user approval', () => {
    const ask = evaluateApproval(cmd('make'), []);
    expect(mayRun(ask, undefined)).toBe(false);
    expect(mayRun(ask, true)).toBe(true);
  });

  it('suggests an exact allow rule, and none for shell syntax', () => {
    expect(suggestAllowRule(cmd('npm', ['run', 'build']))).toEqual({
      effect: 'allow',
      tool: 'run_command',
      command: 'npm run build',
    });
    expect(suggestAllowRule(cmd('ls; rm x', [], true))).toBeUndefined();
  });
});

describe('control paths (issue 15.3)', () => {
  const alwaysWrite: ApprovalRule[] = [
    { effect: 'allow', tool: 'write_file' },
    { effect: 'allow', tool: 'edit_file' },
    { effect: 'allow', tool: 'run_command' },
  ];
  const write = (path: string) => ({ tool: 'write_file' as const, input: { path, content: 'x' } });

  it.each([
    ['.git/config', 'git'],
    ['.git/info/attributes', 'git'],
    ['.git/hooks/pre-commit', 'git'],
    ['.git', 'git'], // a worktree's link file
    ['sub/.git/config', 'git'],
    ['/home/me/project/.git/config', 'git'],
    ['.GIT/config', 'git'],
    ['.Git/CONFIG', 'git'],
    ['.git./config', 'git'], // NTFS drops the trailing dot
    ['.git /config', 'git'],
    ['.g\u200cit/config', 'git'], // HFS+ ignores the zero-width joiner
    ['GIT~1/config', 'git'], // NTFS short name
    ['src\\..\\.git\\config', 'git'],
    ['src/../.git/config', 'git'],
    ['.gitconfig', 'git'],
    ['.boocode/hooks.json', 'hooks'],
    ['.BooCode/Hooks.json', 'hooks'],
  ])('a write to %s asks with the danger in words, even under an allow rule', (path, danger) => {
    const decision = evaluateApproval(write(path), alwaysWrite);
    expect(decision).toMatchObject({ decision: 'ask', danger });
    expect(decision.reason).toMatch(/always asks, whatever the allow rules say/);
    expect(mayRun(decision, undefined)).toBe(false);
    expect(mayRun(decision, true)).toBe(true);
    expect(suggestAllowRule(write(path))).toBeUndefined();
  });

  it.each([
    ['.gitignore'],
    ['.gitattributes'],
    ['.github/workflows/ci.yml'],
    ['src/git/config.ts'],
    ['.boocode/workflows/x.js'],
  ])('an ordinary path %s stays under the allow rule', (path) => {
    expect(evaluateApproval(write(path), alwaysWrite).decision).toBe('allow');
  });

  it('lets a deny rule win over the control-path ask', () => {
    const decision = evaluateApproval(write('.git/config'), [{ effect: 'deny', tool: 'write_file' }]);
    expect(decision.decision).toBe('deny');
  });

  it('asks for a command naming .git/ and for `git config` writes, not for reads', () => {
    const ask = (program: string, args: string[], extra: object = {}) =>
      evaluateApproval({ tool: 'run_command', input: { command: program, args, ...extra } }, alwaysWrite);
    expect(ask('cp', ['evil', '.git/config'])).toMatchObject({ decision: 'ask', danger: 'git' });
    expect(ask('tee', ['--output=.git/hooks/pre-commit'])).toMatchObject({ decision: 'ask', danger: 'git' });
    expect(ask('tee', ['config'], { cwd: '.git' })).toMatchObject({ decision: 'ask', danger: 'git' });
    expect(ask('git', ['config', 'core.fsmonitor', 'x'])).toMatchObject({ decision: 'ask', danger: 'git' });
    expect(ask('git', ['-C', 'sub', 'config', '--add', 'alias.x', 'y'])).toMatchObject({ danger: 'git' });
    expect(ask('timeout', ['5', 'git', 'config', 'core.hooksPath', 'h'])).toMatchObject({ danger: 'git' });
    expect(ask('git', ['config', '--get', 'user.name']).decision).toBe('allow');
    expect(ask('git', ['config', 'user.name']).decision).toBe('allow');
    expect(ask('git', ['config', '--list']).decision).toBe('allow');
    expect(ask('git', ['status']).decision).toBe('allow');
  });
});

describe('model tool definitions', () => {
  it('are generated from the zod schemas, strict, with optional fields optional', () => {
    const defs = modelToolDefinitions();
    expect(defs.map((d) => d.function.name)).toEqual([
      'read_file',
      'list_files',
      'grep',
      'write_file',
      'edit_file',
      'run_command',
    ]);
    const edit = defs.find((d) => d.function.name === 'edit_file')!.function.parameters;
    expect(edit).toMatchObject({
      type: 'object',
      additionalProperties: false,
      required: ['path', 'oldText', 'newText'],
    });
    expect(JSON.stringify(defs)).not.toContain('approved');
  });
});

describe('pairing fragment', () => {
  it('round-trips the runner URL and token, and ignores a non-loopback runner', () => {
    const url = pairingUrl('http://127.0.0.1:8787/', { runnerUrl: 'http://127.0.0.1:8788', token: 'a+b/c=' });
    expect(parsePairingFragment(new URL(url).hash)).toEqual({ runnerUrl: 'http://127.0.0.1:8788', token: 'a+b/c=' });
    expect(parsePairingFragment('#runner=http%3A%2F%2Fevil.example%3A8788&token=x')).toBeUndefined();
    const both = pairingUrl('http://127.0.0.1:8787/#token=sync', { runnerUrl: 'http://127.0.0.1:8788', token: 'run' });
    expect(new URLSearchParams(new URL(both).hash.slice(1)).get('token')).toBe('sync');
    expect(parsePairingFragment(new URL(both).hash)).toEqual({ runnerUrl: 'http://127.0.0.1:8788', token: 'run' });
  });
});
