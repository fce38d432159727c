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
