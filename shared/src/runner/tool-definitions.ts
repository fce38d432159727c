// Tool definitions for the model (OpenAI function-calling shape), generated from the same zod
// schemas the runner validates with, so the model is never told a shape the runner rejects.
import { z } from 'zod';
import { runnerTools, type ToolName } from './tool-contracts.ts';

export interface ModelToolDefinition {
  type: 'function';
  function: { name: ToolName; description: string; parameters: Record<string, unknown> };
}

export function modelToolDefinitions(names: readonly ToolName[] = Object.keys(runnerTools) as ToolName[]) {
  return names.map((name): ModelToolDefinition => {
    const tool = runnerTools[name];
    // io: 'input' so optional fields stay optional in the generated schema.
    const { $schema: _ignored, ...parameters } = z.toJSONSchema(tool.input, { io: 'input' }) as Record<string, unknown>;
    return { type: 'function', function: { name, description: tool.description, parameters } };
  });
}
