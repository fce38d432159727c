// The tools the runner exposes: one zod schema per input and output, types inferred from them.
// The runner validates requests with these, the client validates responses, and the model's
// tool definitions are generated from the same schemas (tool-definitions.ts).
import { z } from 'zod';

const workspacePath = z
  .string()
  .min(1)
  .max(4096)
  .describe('Path relative to the workspace root (absolute paths must stay inside the workspace).');

export const readFileInputSchema = z.strictObject({
  path: workspacePath,
  startLine: z.number().int().min(1).optional().describe('First line to return (1-based).'),
  endLine: z.number().int().min(1).optional().describe('Last line to return (inclusive).'),
});
export const readFileOutputSchema = z.object({
  path: z.string(),
  content: z.string(),
  totalLines: z.number().int(),
  sizeBytes: z.number().int(),
  truncated: z.boolean(),
});

export const writeFileInputSchema = z.strictObject({
  path: workspacePath,
  content: z.string().describe('The full new content of the file.'),
});
export const writeFileOutputSchema = z.object({
  path: z.string(),
  bytesWritten: z.number().int(),
  created: z.boolean(),
  /** Overwrites only: the change against what was there, as unified-diff hunks (capped; see file-diff.ts). */
  diff: z.string().optional(),
  /** True when the diff left hunks out (or the change was too large to diff). */
  diffTruncated: z.boolean().optional(),
});

export const editFileInputSchema = z.strictObject({
  path: workspacePath,
  oldText: z.string().min(1).describe('Exact text to replace. Must occur exactly once unless replaceAll is true.'),
  newText: z.string().describe('Replacement text.'),
  replaceAll: z.boolean().optional().describe('Replace every occurrence instead of requiring a unique match.'),
});
export const editFileOutputSchema = z.object({
  path: z.string(),
  replacements: z.number().int(),
});

export const listFilesInputSchema = z.strictObject({
  path: workspacePath.optional().describe('Directory to list, relative to the workspace root. Default: the root.'),
  recursive: z.boolean().optional().describe('Descend into subdirectories (default true).'),
  limit: z.number().int().min(1).max(20_000).optional().describe('Maximum entries (default 2000).'),
});
export const listFilesOutputSchema = z.object({
  /** Paths relative to the workspace root; directories end with '/'. Ignored files are left out. */
  entries: z.array(z.string()),
  truncated: z.boolean(),
});

export const grepInputSchema = z.strictObject({
  pattern: z
    .string()
    .min(1)
    .max(1000)
    .describe('JavaScript regular expression (or literal text when literal is true).'),
  path: workspacePath.optional().describe('File or directory to search. Default: the workspace root.'),
  literal: z.boolean().optional(),
  caseInsensitive: z.boolean().optional(),
  maxMatches: z.number().int().min(1).max(5000).optional().describe('Default 200.'),
});
export const grepMatchSchema = z.object({ path: z.string(), line: z.number().int(), text: z.string() });
export const grepOutputSchema = z.object({
  matches: z.array(grepMatchSchema),
  truncated: z.boolean(),
});

export const runCommandInputSchema = z.strictObject({
  command: z.string().min(1).max(8192).describe('Program to run (or a shell command line when shell is true).'),
  args: z.array(z.string().max(8192)).max(1000).optional().describe('Arguments, passed without a shell.'),
  cwd: workspacePath.optional().describe('Working directory inside the workspace. Default: the root.'),
  timeoutMs: z.number().int().min(1).optional().describe('Default 30000, capped by the runner maximum.'),
  shell: z.boolean().optional().describe('Run through /bin/sh. Only when shell syntax is really needed.'),
});
export const runCommandResultSchema = z.object({
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  stdout: z.string(),
  stderr: z.string(),
  /** True when output beyond the cap was dropped; droppedBytes says how much. */
  truncated: z.boolean(),
  droppedBytes: z.number().int(),
  timedOut: z.boolean(),
  cancelled: z.boolean(),
  durationMs: z.number(),
  timeoutMs: z.number().int(),
});

export type ReadFileInput = z.infer<typeof readFileInputSchema>;
export type ReadFileOutput = z.infer<typeof readFileOutputSchema>;
export type WriteFileInput = z.infer<typeof writeFileInputSchema>;
export type WriteFileOutput = z.infer<typeof writeFileOutputSchema>;
export type EditFileInput = z.infer<typeof editFileInputSchema>;
export type EditFileOutput = z.infer<typeof editFileOutputSchema>;
export type ListFilesInput = z.infer<typeof listFilesInputSchema>;
export type ListFilesOutput = z.infer<typeof listFilesOutputSchema>;
export type GrepInput = z.infer<typeof grepInputSchema>;
export type GrepOutput = z.infer<typeof grepOutputSchema>;
export type RunCommandInput = z.infer<typeof runCommandInputSchema>;
export type RunCommandResult = z.infer<typeof runCommandResultSchema>;

/** read: runs freely; write: changes files; command: runs a program. The last two need approval. */
export type ToolAccess = 'read' | 'write' | 'command';

export const runnerTools = {
  read_file: {
    access: 'read',
    description: 'Read a text file in the workspace, optionally a range of lines.',
    input: readFileInputSchema,
    output: readFileOutputSchema,
  },
  list_files: {
    access: 'read',
    description: 'List files in the workspace, leaving out what .gitignore ignores.',
    input: listFilesInputSchema,
    output: listFilesOutputSchema,
  },
  grep: {
    access: 'read',
    description: 'Search file contents in the workspace with a regular expression.',
    input: grepInputSchema,
    output: grepOutputSchema,
  },
  write_file: {
    access: 'write',
    description: 'Create or overwrite a file in the workspace (parent directories are created).',
    input: writeFileInputSchema,
    output: writeFileOutputSchema,
  },
  edit_file: {
    access: 'write',
    description:
      'Replace an exact, unique piece of text in a file. Fails if the text is absent or occurs more than once.',
    input: editFileInputSchema,
    output: editFileOutputSchema,
  },
  run_command: {
    access: 'command',
    description: 'Run a program in the workspace (no shell unless shell is true) with a timeout and an output cap.',
    input: runCommandInputSchema,
    output: runCommandResultSchema,
  },
} as const;

export type ToolName = keyof typeof runnerTools;
export const toolNameSchema = z.enum(Object.keys(runnerTools) as [ToolName, ...ToolName[]]);

export function isToolName(name: string): name is ToolName {
  return Object.hasOwn(runnerTools, name);
}
