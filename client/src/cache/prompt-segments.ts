// The parts a prompt is measured in (system prompt, tool schemas, history, new input): one set of names
// for the cache pane and the trace's model-call details.
import type { PromptSegment } from '@boocode/shared/doc/session-schema';

export const SEGMENT_LABEL: Record<PromptSegment['kind'], string> = {
  system: 'system prompt',
  tools: 'tool schemas',
  history: 'history',
  input: 'new input',
};

export const SEGMENT_KINDS = Object.keys(SEGMENT_LABEL) as PromptSegment['kind'][];
