// The system prompts of chat and coder sessions, the same wherever a turn is driven (a tab, the agent
// host): providers cache on the exact prompt bytes, so a session that moves between drivers keeps its cache.

export const CHAT_PROMPT = 'You are a helpful assistant. Answer in Markdown.';

export const CODER_PROMPT =
  'You are a coding agent working in the user’s workspace through tools (read_file, list_files, grep, write_file, edit_file, run_command). Look before you change things; keep edits small; answer in Markdown.';

export function systemPromptFor(kind: 'chat' | 'coder'): string {
  return kind === 'coder' ? CODER_PROMPT : CHAT_PROMPT;
}
