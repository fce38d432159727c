// Takes this process's start environment into a plain object for configuration, and then hides from
// /proc/<pid>/environ every variable a command may not see (command-env.ts). Any process of the same user
// can read that file, and it shows the environment as the process was started, whatever process.env says
// since: deleting a key from process.env changes only the C library's list of pointers, not the bytes the
// kernel placed on the stack at exec, which are what /proc/<pid>/environ reads. So, on Linux, each hidden
// variable's bytes there are overwritten (through /proc/self/mem, which a process may write for itself)
// after process.env got a heap copy of it. Provider keys and tokens leave process.env entirely: only the
// returned object holds them, for the runner's own use.
import { closeSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';

export interface StartEnvironment {
  /** The environment as the process was started, secrets included: configure from this. */
  env: Record<string, string>;
  /** Names whose bytes were overwritten in /proc/<pid>/environ. */
  hidden: string[];
  /** Why nothing could be hidden (no /proc, a kernel that refuses the write), if so. */
  notHidden?: string;
}

/** [env_start, env_end) of this process: fields 50 and 51 of /proc/self/stat (proc(5)). */
function environBlock(): { start: number; end: number } {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  // Fields after the command name, which is in parentheses and may itself hold spaces; the first is field 3.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const start = Number(fields[50 - 3]);
  const end = Number(fields[51 - 3]);
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || end <= start) {
    throw new Error('this kernel does not report where the start environment is');
  }
  return { start, end };
}

/** Overwrites the `NAME=value` entries of the start environment for which `hide(name)` is true. */
function overwriteStartEntries(hide: (name: string) => boolean): string[] {
  const { start, end } = environBlock();
  const fd = openSync('/proc/self/mem', 'r+');
  try {
    const block = Buffer.alloc(end - start);
    readSync(fd, block, 0, block.length, start);
    const hidden: string[] = [];
    for (let at = 0; at < block.length; ) {
      const stop = block.indexOf(0, at) === -1 ? block.length : block.indexOf(0, at);
      const entry = block.subarray(at, stop).toString('utf8');
      const name = entry.slice(0, Math.max(0, entry.indexOf('=')));
      if (name && hide(name)) {
        writeSync(fd, Buffer.alloc(stop - at), 0, stop - at, start + at);
        hidden.push(name);
      }
      at = stop + 1;
    }
    return hidden;
  } finally {
    closeSync(fd);
  }
}

/**
 * Call first thing in an entry point, before anything is spawned. `visible(name)`: may a command see
 * this variable (it stays in /proc/<pid>/environ). `secret(name)`: leaves process.env too.
 */
export function takeStartEnvironment(rules: {
  visible: (name: string) => boolean;
  secret: (name: string) => boolean;
}): StartEnvironment {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) if (value !== undefined) env[name] = value;
  for (const [name, value] of Object.entries(env)) {
    if (rules.visible(name)) continue;
    // Re-set: setenv() copies the value to the heap, so overwriting the start bytes leaves process.env whole.
    delete process.env[name];
    if (!rules.secret(name)) process.env[name] = value;
  }
  if (process.platform !== 'linux') return { env, hidden: [], notHidden: `${process.platform} has no /proc/self/mem` };
  try {
    return { env, hidden: overwriteStartEntries((name) => !rules.visible(name)) };
  } catch (error) {
    return { env, hidden: [], notHidden: (error as Error).message };
  }
}
