export const meta = {
  name: 'deep-research',
  description:
    'Splits a question into sub-questions, researches each with its own agent in parallel, then writes one synthesis that cites what each found.',
  phases: ['Plan', 'Research', 'Synthesize'],
  whenToUse: 'A question that needs several angles or sources, where a single agent would stop at the first answer.',
  args: {
    description: 'question: what to research; breadth?: how many sub-questions, 1-8 (default 4); model?: a model name',
    example: { question: 'How do CRDTs handle deletes?', breadth: 3 },
  },
};

// args: { question: string, breadth?: number (1-8, default 4), model?: string }
const input = args ?? {};
const question = typeof input.question === 'string' ? input.question.trim() : '';
if (!question) throw new Error('deep-research needs args.question (a non-empty string)');
const breadth = Math.min(Math.max(Math.floor(Number(input.breadth ?? 4)) || 4, 1), 8);
const model = typeof input.model === 'string' ? input.model : undefined;

phase('Plan');
const plan = await agent(
  [
    `Break this research question into at most ${breadth} independent sub-questions that together cover it.`,
    'Each sub-question must be answerable on its own by a researcher who sees only that sub-question.',
    `Question: ${question}`,
  ].join('\n'),
  {
    label: 'plan',
    model,
    schema: {
      type: 'object',
      properties: {
        subquestions: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: breadth },
      },
      required: ['subquestions'],
    },
  },
);
log(`planned ${plan.subquestions.length} sub-questions`);

phase('Research');
const findings = await parallel(
  plan.subquestions.map(
    (subquestion, i) => () =>
      agent(
        [
          'Research this question thoroughly. Report what you found, the sources you used, and how sure you are.',
          `Overall question (context only): ${question}`,
          `Your question: ${subquestion}`,
        ].join('\n'),
        {
          label: `research ${i + 1}`,
          model,
          schema: {
            type: 'object',
            properties: {
              summary: { type: 'string' },
              sources: { type: 'array', items: { type: 'string' } },
              confidence: { enum: ['low', 'medium', 'high'] },
            },
            required: ['summary'],
          },
        },
      ),
  ),
);
const answered = [];
findings.forEach((finding, i) => {
  if (finding) answered.push({ subquestion: plan.subquestions[i], ...finding });
  else log(`research ${i + 1} gave no answer: "${plan.subquestions[i]}"`);
});
if (answered.length === 0) throw new Error('every research agent failed; nothing to synthesize');

phase('Synthesize');
const report = await agent(
  [
    `Write a clear, well-structured answer to: ${question}`,
    'Use only the findings below. Cite them as [1], [2], ... by their number, say where they disagree,',
    'and list what remains unanswered.',
    '',
    ...answered.map(
      (f, i) => `[${i + 1}] ${f.subquestion}\n${f.summary}\nSources: ${(f.sources ?? []).join(', ') || 'none given'}`,
    ),
  ].join('\n'),
  { label: 'synthesis', model },
);

return { question, subquestions: plan.subquestions, findings: answered, report };
