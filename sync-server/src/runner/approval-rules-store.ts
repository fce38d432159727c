// The approval rules the runner enforces: given at start, or kept in approval-rules.json in
// the data dir and replaced through PUT /approval/rules (the settings page).
import { join } from 'node:path';
import { type ApprovalRule, approvalRulesSchema } from '@boocode/shared/runner/approval-policy';
import { readJsonFile, writePrivateFile } from './secret-files.ts';

export interface ApprovalRulesStore {
  current(): readonly ApprovalRule[];
  replace(rules: ApprovalRule[]): Promise<void>;
}

export async function openApprovalRulesStore(dataDir: string, initial?: ApprovalRule[]): Promise<ApprovalRulesStore> {
  const path = join(dataDir, 'approval-rules.json');
  let rules: ApprovalRule[] = initial ?? approvalRulesSchema.parse((await readJsonFile(path)) ?? []);
  return {
    current: () => rules,
    async replace(next) {
      rules = next;
      await writePrivateFile(path, `${JSON.stringify(next, null, 2)}\n`);
    },
  };
}
