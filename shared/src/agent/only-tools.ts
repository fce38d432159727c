// A session limited to some tools (a subagent its lead gave a tool list): the model is offered only those,
// and a call to another one (a model may still try) is refused with a clear error instead of running.
import type { ToolExecutor } from './engine-deps.ts';
export function onlyTools(base: ToolExecutor, allowed: string[]): ToolExecutor {
  const names = new Set(allowed);
  return {
    definitions: () => base.definitions().filter((d) => names.has(d.name)),
    execute: (call, ctx) =>
      names.has(call.name)
        ? base.execute(call, ctx)
        : Promise.resolve({
            ok: false,
            error: {
              code: 'TOOL_NOT_ALLOWED',
              message: `This subagent may only use ${[...names].join(', ') || 'no tools'}; "${call.name}" is not one of them.`,
            },
          }),
  };
}
