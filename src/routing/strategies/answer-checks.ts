/**
 * The cheap checks a cascade runs on the weak model's answer before accepting it. Each returns
 * undefined when the answer passes, or the reason it fails (which goes into the log).
 */
import type { ChatCompletion, ChatCompletionRequest } from '../../protocol/chat-types.js';

/**
 * Phrases with which models refuse or hedge. Kept specific: a bare "sorry" or "unclear" in an
 * otherwise good answer must not trigger an expensive escalation.
 */
const HEDGING = [
  /\bI(?:'m| am) (?:not (?:sure|certain)|unable to|not able to)\b/i,
  /\bI (?:can(?:'|no)t|cannot|do not|don't) (?:help|assist|answer|provide|know|determine)\b/i,
  /\bas an AI(?: language model)?\b/i,
  /\bI(?:'m| am) sorry,? but\b/i,
  /\b(?:it(?:'s| is) (?:difficult|hard|impossible) to (?:say|determine|know))\b/i,
  /\bI don't have (?:enough|sufficient) information\b/i,
];

export interface AnswerCheckOptions {
  min_characters: number;
  require_stop: boolean;
  valid_json: boolean;
  reject_hedging: boolean;
  min_mean_logprob?: number;
}

export function checkAnswer(request: ChatCompletionRequest, completion: ChatCompletion, options: AnswerCheckOptions): string | undefined {
  const choice = completion.choices[0];
  if (!choice) return 'no choice in the answer';
  const content = choice.message.content ?? '';
  const hasToolCalls = (choice.message.tool_calls?.length ?? 0) > 0;
  if (!hasToolCalls && content.trim().length < options.min_characters) return 'empty answer';
  if (options.require_stop && choice.finish_reason !== 'stop' && choice.finish_reason !== 'tool_calls') {
    return `finished with ${choice.finish_reason ?? 'no finish reason'}, not stop`;
  }
  if (choice.message.refusal) return 'the model refused';
  const jsonWanted = request.response_format?.type === 'json_object' || request.response_format?.type === 'json_schema';
  if (options.valid_json && jsonWanted && !hasToolCalls && !isJson(content)) return 'JSON was asked for and the answer is not valid JSON';
  if (options.reject_hedging && !hasToolCalls) {
    const hedge = HEDGING.find((pattern) => pattern.test(content));
    if (hedge) return `the answer hedges or refuses (${content.match(hedge)![0]})`;
  }
  if (options.min_mean_logprob !== undefined) {
    const mean = meanLogprob(choice.logprobs);
    if (mean === undefined) return 'logprobs were required but the model returned none';
    if (mean < options.min_mean_logprob) return `mean token logprob ${mean.toFixed(3)} is below ${options.min_mean_logprob}`;
  }
  return undefined;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Mean log-probability over the answer's tokens, from OpenAI's `logprobs.content`. */
export function meanLogprob(logprobs: unknown): number | undefined {
  const content = (logprobs as { content?: Array<{ logprob: number }> } | null | undefined)?.content;
  if (!Array.isArray(content) || content.length === 0) return undefined;
  return content.reduce((sum, token) => sum + token.logprob, 0) / content.length;
}
