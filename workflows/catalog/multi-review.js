export const meta = {
  name: 'multi-review',
  description:
    'Several reviewers read the same diff from different angles (correctness, security, tests, readability), then a judge merges their findings into one verdict.',
  phases: ['Review', 'Judge'],
  whenToUse: 'Before merging a change that deserves more than one pair of eyes.',
  args: {
    description:
      'diff: the unified diff to review; reviewers?: [{ name, focus }] to replace the four default angles; context?: what the change is for; model?: a model name',
    example: { diff: 'diff --git a/src/add.js b/src/add.js\n-  return a - b;\n+  return a + b;' },
  },
};

// args: { diff: string, reviewers?: [{ name, focus }], context?: string, model?: string }
const input = args ?? {};
const diff = typeof input.diff === 'string' ? input.diff : '';
if (!diff.trim()) throw new Error('multi-review needs args.diff (the unified diff to review)');
const reviewers =
  Array.isArray(input.reviewers) && input.reviewers.length > 0
    ? input.reviewers
    : [
        { name: 'correctness', focus: 'logic errors, edge cases, broken invariants, wrong error handling' },
        { name: 'security', focus: 'injection, path traversal, secrets, unsafe input handling, auth checks' },
        { name: 'tests', focus: 'missing or weak tests for the changed behaviour, tests that cannot fail' },
        { name: 'readability', focus: 'naming, structure, dead code, comments that do not say why' },
      ];
const model = typeof input.model === 'string' ? input.model : undefined;

const finding = {
  type: 'object',
  properties: {
    severity: { enum: ['blocker', 'major', 'minor', 'nit'] },
    file: { type: 'string' },
    line: { type: 'integer' },
    issue: { type: 'string' },
    suggestion: { type: 'string' },
  },
  required: ['severity', 'issue'],
};
const findingsSchema = {
  type: 'object',
  properties: { findings: { type: 'array', items: finding } },
  required: ['findings'],
};

phase('Review');
const reviews = await parallel(
  reviewers.map(
    (reviewer) => () =>
      agent(
        [
          `You are reviewing a diff for ${reviewer.name}. Look only for: ${reviewer.focus}.`,
          'Report each problem with its severity, file and line when you can, and a concrete suggestion.',
          'Report nothing rather than guess; an empty list is a fine answer.',
          input.context ? `Context: ${input.context}` : '',
          '',
          diff,
        ].join('\n'),
        { label: `review: ${reviewer.name}`, model, schema: findingsSchema },
      ),
  ),
);
const done = [];
reviews.forEach((review, i) => {
  if (review) done.push({ reviewer: reviewers[i].name, findings: review.findings });
  else log(`reviewer ${reviewers[i].name} gave no answer`);
});
if (done.length === 0) throw new Error('every reviewer failed; no verdict');

phase('Judge');
const verdict = await agent(
  [
    'You are the judge. Several reviewers read the diff below. Merge their findings: drop duplicates and',
    'false positives, keep the severity you can defend, and decide whether the change can be merged.',
    '',
    `Reviews: ${JSON.stringify(done)}`,
    '',
    diff,
  ].join('\n'),
  {
    label: 'judge',
    model,
    schema: {
      type: 'object',
      properties: {
        verdict: { enum: ['approve', 'request-changes'] },
        summary: { type: 'string' },
        findings: { type: 'array', items: finding },
      },
      required: ['verdict', 'summary', 'findings'],
    },
  },
);

return {
  verdict: verdict.verdict,
  summary: verdict.summary,
  findings: verdict.findings,
  reviewers: done.map((d) => d.reviewer),
  missing: reviewers.filter((r) => !done.some((d) => d.reviewer === r.name)).map((r) => r.name),
};
