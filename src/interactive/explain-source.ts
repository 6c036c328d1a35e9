// Where `e` in --step and `explain` in the shell get their texts: the explain topics of
// `cilium-trace explain` (src/explain/topics), so all three say the same thing.
import { allTopics, findTopic, renderTopic, topicOfTraceNode } from '../explain/topics/index.js';
import type { Explainer } from './step-explain.js';

export const explainer: Explainer = {
  node: (n) => {
    const t = topicOfTraceNode(n);
    return t ? { id: t.id, text: renderTopic(t) } : undefined;
  },
  query: (q) => {
    const t = findTopic(q);
    return t ? { id: t.id, text: renderTopic(t, q) } : undefined;
  },
};

/** The topic names, for the shell's completion. */
export function explainTopics(): string[] {
  return allTopics().map((t) => t.id);
}
