/**
 * Reduces a prompt to the part that says what is being asked. Benchmarks wrap questions in
 * boilerplate a live chat never has (few-shot examples, "Answer:" cues, "A." option labels);
 * learning from that boilerplate would teach the router the benchmark's format instead of the
 * question's difficulty, and would not transfer to open chat.
 *
 * Long prompts are cut to their head and tail first. What is being asked sits at the start
 * (instructions) or the end (the question after a pasted document); the middle is mostly
 * material. The cut bounds a decision's cost whatever the prompt's size (see
 * bench/router-decision.ts); the prompt's full length still counts as a feature.
 */

export const HEAD_CHARACTERS = 6000;
export const TAIL_CHARACTERS = 2000;

export function boundPrompt(prompt: string): string {
  if (prompt.length <= HEAD_CHARACTERS + TAIL_CHARACTERS) return prompt;
  return prompt.slice(0, HEAD_CHARACTERS) + '\n' + prompt.slice(prompt.length - TAIL_CHARACTERS);
}

const FEW_SHOT_HEADER = /^The following are multiple choice questions \(with answers\) about [^\n]*\n+/;
/** A solved few-shot example ends with "Answer: X" and a blank line. */
const SOLVED_EXAMPLE = /\nAnswer:[^\n]*\n\s*\n/g;
const ANSWER_CUE = /\n\s*(Answer|A):\s*$/;
const OPTION_LABEL = /\n[A-J][.)] /g;

export function normalisePrompt(prompt: string): string {
  let text = prompt.replace(FEW_SHOT_HEADER, '');
  let lastExampleEnd = -1;
  for (const match of text.matchAll(SOLVED_EXAMPLE)) lastExampleEnd = match.index + match[0].length;
  if (lastExampleEnd > 0) text = text.slice(lastExampleEnd);
  return text.replace(ANSWER_CUE, '').replace(OPTION_LABEL, '\n');
}
