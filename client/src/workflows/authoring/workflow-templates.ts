// Where a new workflow starts: a small template that shows the script's shape (meta first, then
// phases and agents), or a copy of a workflow already listed (built-in, project or personal).
export const BLANK_TEMPLATE = `export const meta = {
  name: 'my-workflow',
  description: 'What this workflow does, in one line.',
  phases: ['gather', 'answer'],
  args: { description: 'topic: what to look into', example: { topic: 'the build' } },
};

phase('gather');
const notes = await parallel([
  () => agent(\`List the facts about \${args?.topic ?? 'the project'}\`, { label: 'facts' }),
  () => agent(\`List the open questions about \${args?.topic ?? 'the project'}\`, { label: 'questions' }),
]);

phase('answer');
return await agent(\`Write a short summary from these notes:\\n\${notes.join('\\n')}\`, { label: 'summary' });
`;

/** The file name a copy of `name` is offered under (a copy under the same name would replace it). */
export function copyName(name: string): string {
  return `${name}-copy`;
}
