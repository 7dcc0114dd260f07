/** Whether a cached answer calls tools (the semantic layer never serves those by meaning). */
import type { CachedAnswer } from './cache-entry.js';

export function answerHasToolCalls(answer: CachedAnswer): boolean {
  switch (answer.kind) {
    case 'completion':
      return answer.completion.choices.some((choice) => (choice.message.tool_calls?.length ?? 0) > 0) || (answer.message?.content.some((block) => block.type === 'tool_use') ?? false);
    case 'chunks':
      return answer.chunks.some((text) => text.includes('"tool_calls":[{'));
    case 'anthropic-events':
      return answer.events.some((event) => event.data.includes('"tool_use"'));
  }
}
