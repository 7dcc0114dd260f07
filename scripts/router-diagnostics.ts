/**
 * Why the learned router misses two of issue 15's rows (whole unseen MMLU subjects, open chat):
 * simple scorers over the prompt's meaning, judged on the same held-out splits as `router cv`
 * (seed 1, five folds), each asking one question of the data.
 *
 * - subject oracle: every held-out row scored by its own subject's true mean gain. Not a router
 *   (it reads the answers): the ceiling of knowing how hard a subject is for the weak model.
 * - nearest subjects: a row scored by the mean gain of the training subjects whose mean
 *   embedding is nearest to it (softmax over cosine, temperature 0.05): can a new subject's
 *   difficulty be read from the subjects that look like it?
 * - gain direction: (x − x̄)·Σᵢ(xᵢ − x̄)(yᵢ − ȳ) over the training rows of the same dataset, the
 *   limit of ridge regression as its penalty grows: the linear reading of meaning that can
 *   overfit least. "+ length" adds log(prompt length) as one more coordinate.
 * - chat order: the chat gain direction, trained on every alpaca-dev row, asked to order the
 *   hand-written prompts of `chat-prompt-order.test.ts`: the share of (hard, easy) pairs it
 *   puts the right way round (1 = all; the shipped router scores 1).
 * - MMLU subjects: how far apart the subjects' gaps are, and whether anything a prompt shows
 *   (length, digits) or the weak model's own accuracy ranks them.
 * - chat labels: what the judge's preference follows: its rank correlation with how much
 *   longer the strong model's answer is than the weak one's, and the strong model's win rate
 *   by quarter of prompt length.
 *
 * Meaning comes from the shipped static table, or with `--sentence-encoder` from the Universal
 * Sentence Encoder itself (the model the table is distilled from; 7–30 minutes of CPU for the
 * 6,755 prompts, depending on the machine): whether the distillation is what loses the signal.
 *
 *   npm run router:diagnose [-- --sentence-encoder]
 */
import { parseArgs } from 'node:util';
import { sharedStaticEmbedder } from '../src/embedding/default-embedder.js';
import { loadSentenceEncoder } from '../src/embedding/distillation/sentence-encoder.js';
import { normalised } from '../src/embedding/static-embedder.js';
import { estimate } from '../src/routing/evaluation/cross-validation.js';
import { assignFolds, type FoldKind } from '../src/routing/evaluation/folds.js';
import { createProgressBar } from '../src/routing/evaluation/progress-bar.js';
import { promptLengthScores } from '../src/routing/evaluation/reference-routers.js';
import { summariseRouter, type RouterSummary } from '../src/routing/evaluation/router-summary.js';
import { readRoutingDataset, type RoutingRow } from '../src/routing/evaluation/routing-dataset.js';
import { routingOutcomes } from '../src/routing/evaluation/routing-outcomes.js';
import { EASY_CHAT_PROMPTS, HARD_CHAT_PROMPTS } from '../src/routing/learned/chat-prompt-examples.js';
import { routedText, scanRawPrompt, semanticFeatures, semanticText } from '../src/routing/learned/feature-vector.js';
import { STRUCTURE_FEATURES } from '../src/routing/learned/prompt-features.js';
import { DEFAULT_TRAINING } from '../src/routing/learned/train-router.js';

const { values } = parseArgs({
  options: {
    'sentence-encoder': { type: 'boolean', default: false },
    data: { type: 'string', default: '../shared/datasets/routing' },
  },
});

const WEAK = 'mixtral-8x7b-instruct';
const STRONG = 'gpt-4-1106-preview';
const OTHER_WEAK = 'gpt-3.5-turbo-1106';
const NEAREST_TEMPERATURE = 0.05;

type Vector = Float32Array | Float64Array;
type Scorer = (train: readonly number[], test: readonly number[]) => ArrayLike<number>;

const mmlu = readRoutingDataset(`${values.data}/mmlu-dev.jsonl`).rows;
const chat = readRoutingDataset(`${values.data}/alpaca-dev.jsonl`).rows;
const embed = await embedder(values['sentence-encoder']);
const mmluVectors = embed(mmlu.map((row) => row.prompt));
const chatVectors = embed(chat.map((row) => row.prompt));

const gain = (rows: readonly RoutingRow[]) => rows.map((row) => row.scores[STRONG] - row.scores[WEAK]);
const logLength = (rows: readonly RoutingRow[]) => rows.map((row) => Math.log1p(routedText(row.prompt).characterCount));

console.log(`Meaning from: ${values['sentence-encoder'] ? 'the Universal Sentence Encoder (512 dimensions)' : 'the shipped static table (routers/embedding-en.bin)'}\n`);
console.log('| dataset | held out | weak | scorer | APGR | CPT(50%) |');
console.log('|---|---|---|---|---|---|');

const mmluGain = gain(mmlu);
const mmluLength = logLength(mmlu);
const mmluScorers: Record<string, Scorer> = {
  'prompt length': (_train, test) => promptLengthScores(test.map((index) => mmlu[index].prompt)),
  'subject oracle (reads the answers)': (_train, test) => subjectOracle(mmlu, mmluGain, test),
  'nearest subjects': (train, test) => nearestSubjects(mmlu, mmluVectors, mmluGain, train, test),
  'gain direction': (train, test) => gainDirection(mmluVectors, mmluGain, train, test),
  'gain direction + length': (train, test) => gainDirection(withLength(mmluVectors, mmluLength), mmluGain, train, test),
};
for (const kind of ['task', 'random'] as const) report('mmlu-dev', mmlu, kind, WEAK, mmluScorers);

const chatGain = gain(chat);
const chatLength = logLength(chat);
const chatScorers: Record<string, Scorer> = {
  'prompt length': (_train, test) => promptLengthScores(test.map((index) => chat[index].prompt)),
  'gain direction': (train, test) => gainDirection(chatVectors, chatGain, train, test),
  'gain direction + length': (train, test) => gainDirection(withLength(chatVectors, chatLength), chatGain, train, test),
};
for (const kind of ['random', 'task'] as const) {
  for (const weak of [WEAK, OTHER_WEAK]) report('alpaca-dev', chat, kind, weak, chatScorers);
}

const examples = [...EASY_CHAT_PROMPTS, ...HARD_CHAT_PROMPTS];
const exampleVectors = embed(examples);
const everyChatRow = chat.map((_row, index) => index);
const direction = directionOf(chatVectors, chatGain, everyChatRow);
const exampleScores = exampleVectors.map((vector) => dot(vector, direction.weights));
const easyScores = exampleScores.slice(0, EASY_CHAT_PROMPTS.length);
const hardScores = exampleScores.slice(EASY_CHAT_PROMPTS.length);
const rightWayRound = hardScores.flatMap((hard) => easyScores.map((easy) => (hard > easy ? 1 : 0))).reduce<number>((sum, pair) => sum + pair, 0);
console.log(`\nChat order: the chat gain direction puts ${rightWayRound} of ${hardScores.length * easyScores.length} (hard, easy) example pairs the right way round.`);
console.log(`Mean score, easy examples ${mean(easyScores).toFixed(3)}, hard examples ${mean(hardScores).toFixed(3)} (higher: sent to the strong model first).`);

const answerLengthRatio = chat.map((row) => Math.log((row.responses?.[STRONG]?.length ?? 1) / (row.responses?.[WEAK]?.length ?? 1)));
console.log(`\nChat labels: rank correlation of the judge's gain with log(strong answer length / weak answer length): ${rankCorrelation(chatGain, answerLengthRatio).toFixed(2)}; with prompt length: ${rankCorrelation(chatGain, chatLength).toFixed(2)}.`);
const byLength = chat.map((_row, index) => index).sort((left, right) => chatLength[left] - chatLength[right]);
for (let quarter = 0; quarter < 4; quarter++) {
  const members = byLength.slice(Math.floor((quarter * chat.length) / 4), Math.floor(((quarter + 1) * chat.length) / 4));
  const characters = members.map((index) => routedText(chat[index].prompt).characterCount);
  const wins = members.filter((index) => chatGain[index] > 0).length / members.length;
  console.log(`- prompts of ${Math.min(...characters)}–${Math.max(...characters)} characters: the strong model wins ${(100 * wins).toFixed(0)}%, mean gain ${mean(members.map((index) => chatGain[index])).toFixed(3)}`);
}

const DIGIT_DENSITY = STRUCTURE_FEATURES.indexOf('digit_density');
const subjects = [...bySubject(mmlu, mmlu.map((_row, index) => index))].map(([task, members]) => {
  const average = (value: (index: number) => number) => mean(members.map(value));
  return {
    task,
    gain: average((index) => mmluGain[index]),
    weak: average((index) => mmlu[index].scores[WEAK]),
    strong: average((index) => mmlu[index].scores[STRONG]),
    length: average((index) => mmluLength[index]),
    // The router's own measurement: digits per character, over at least 200 characters.
    digits: average((index) => scanRawPrompt(mmlu[index].prompt, DEFAULT_TRAINING.hashBits).structure[DIGIT_DENSITY]),
  };
});
subjects.sort((left, right) => right.gain - left.gain);
const subjectGains = subjects.map((subject) => subject.gain);
console.log(`\nMMLU subjects (${subjects.length}): gain from ${subjectGains.at(-1)!.toFixed(2)} to ${subjectGains[0].toFixed(2)}. Rank correlation of a subject's gain with its mean log length ${rankCorrelation(subjectGains, subjects.map((subject) => subject.length)).toFixed(2)}, digit density ${rankCorrelation(subjectGains, subjects.map((subject) => subject.digits)).toFixed(2)}, the weak model's accuracy ${rankCorrelation(subjectGains, subjects.map((subject) => subject.weak)).toFixed(2)}.`);
for (const subject of [...subjects.slice(0, 3), ...subjects.slice(-3)]) {
  console.log(`- ${subject.task}: weak ${subject.weak.toFixed(2)}, strong ${subject.strong.toFixed(2)}, gain ${subject.gain.toFixed(2)}`);
}

/** One table row per scorer: the mean over folds of each fold's APGR and CPT(50%). */
function report(name: string, rows: readonly RoutingRow[], kind: FoldKind, weak: string, scorers: Record<string, Scorer>): void {
  const folds = assignFolds(rows.map((row) => row.task), 5, kind, 1);
  for (const [scorer, score] of Object.entries(scorers)) {
    const summaries: RouterSummary[] = [];
    for (let fold = 0; fold < 5; fold++) {
      const test = rows.flatMap((_row, index) => (folds[index] === fold ? [index] : []));
      const train = rows.flatMap((_row, index) => (folds[index] === fold ? [] : [index]));
      summaries.push(summariseRouter(routingOutcomes(test.map((index) => rows[index]), weak, STRONG), score(train, test)));
    }
    const { apgr, cpt50 } = estimate(summaries);
    const view = kind === 'task' ? 'whole tasks' : 'random folds';
    console.log(`| ${name} | ${view} | ${weak} | ${scorer} | ${apgr.mean.toFixed(3)} ± ${apgr.spread.toFixed(3)} | ${(100 * cpt50.mean).toFixed(1)}% |`);
  }
}

/** Each row scored by the mean of `values` over the test rows of its own subject: it reads the answers. */
function subjectOracle(rows: readonly RoutingRow[], values: readonly number[], test: readonly number[]): number[] {
  const means = new Map([...bySubject(rows, test)].map(([task, members]) => [task, mean(members.map((index) => values[index]))]));
  return test.map((index) => means.get(rows[index].task)!);
}

/** Row indices by their subject (task). */
function bySubject(rows: readonly RoutingRow[], indices: readonly number[]): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  for (const index of indices) {
    const members = groups.get(rows[index].task);
    if (members) members.push(index);
    else groups.set(rows[index].task, [index]);
  }
  return groups;
}

function nearestSubjects(rows: readonly RoutingRow[], vectors: readonly Vector[], values: readonly number[], train: readonly number[], test: readonly number[]): number[] {
  const subjects = [...bySubject(rows, train).values()].map((members) => ({
    centre: normalised(meanVector(members.map((index) => vectors[index]))),
    gain: mean(members.map((index) => values[index])),
  }));
  return test.map((index) => {
    const similarities = subjects.map((subject) => dot(vectors[index], subject.centre) / NEAREST_TEMPERATURE);
    const highest = Math.max(...similarities);
    const weights = similarities.map((similarity) => Math.exp(similarity - highest));
    return weights.reduce((sum, weight, subject) => sum + weight * subjects[subject].gain, 0) / weights.reduce((sum, weight) => sum + weight, 0);
  });
}

function gainDirection(vectors: readonly Vector[], values: readonly number[], train: readonly number[], test: readonly number[]): number[] {
  const { weights } = directionOf(vectors, values, train);
  return test.map((index) => dot(vectors[index], weights));
}

/** Σᵢ (xᵢ − x̄)(yᵢ − ȳ): ridge regression's weights, up to scale, as the penalty grows. */
function directionOf(vectors: readonly Vector[], values: readonly number[], rows: readonly number[]): { weights: Vector } {
  const centre = meanVector(rows.map((index) => vectors[index]));
  const valueMean = mean(rows.map((index) => values[index]));
  const weights = new Float64Array(centre.length);
  for (const index of rows) {
    const deviation = values[index] - valueMean;
    for (let dimension = 0; dimension < weights.length; dimension++) weights[dimension] += (vectors[index][dimension] - centre[dimension]) * deviation;
  }
  return { weights };
}

function withLength(vectors: readonly Vector[], lengths: readonly number[]): Vector[] {
  return vectors.map((vector, index) => Float64Array.from([...vector, lengths[index]]));
}

/** Text → unit vector, from the static table (an empty text gives zeros) or the sentence encoder. */
async function embedder(sentenceEncoder: boolean): Promise<(prompts: readonly string[]) => Vector[]> {
  if (!sentenceEncoder) {
    const table = sharedStaticEmbedder();
    return (prompts) => prompts.map((prompt) => semanticFeatures(prompt, table) ?? new Float32Array(table.dimensions));
  }
  const encoder = await loadSentenceEncoder();
  const cache = new Map<string, Vector>();
  // The encoder is asynchronous; every text is embedded up front and looked up afterwards.
  const texts = [...new Set([...mmlu, ...chat].map((row) => row.prompt).concat(EASY_CHAT_PROMPTS, HARD_CHAT_PROMPTS))];
  const bar = createProgressBar('sentence encoder', texts.length);
  const vectors = await encoder.embed(
    texts.map((prompt) => semanticText(routedText(prompt).text)),
    (done) => bar.update(done),
  );
  bar.finish();
  texts.forEach((text, index) => cache.set(text, normalised(Float64Array.from(vectors[index]))));
  return (prompts) => prompts.map((prompt) => cache.get(prompt)!);
}

function meanVector(vectors: readonly Vector[]): Float64Array {
  const sum = new Float64Array(vectors[0].length);
  for (const vector of vectors) for (let dimension = 0; dimension < sum.length; dimension++) sum[dimension] += vector[dimension];
  return sum.map((value) => value / vectors.length);
}

function dot(left: ArrayLike<number>, right: ArrayLike<number>): number {
  let sum = 0;
  for (let index = 0; index < left.length; index++) sum += left[index] * right[index];
  return sum;
}

/** Spearman's rank correlation, tied values sharing their mean rank. */
function rankCorrelation(left: readonly number[], right: readonly number[]): number {
  const ranks = (values: readonly number[]): number[] => {
    const order = values.map((_value, index) => index).sort((a, b) => values[a] - values[b]);
    const rank = new Array<number>(values.length);
    for (let start = 0; start < order.length; ) {
      let end = start + 1;
      while (end < order.length && values[order[end]] === values[order[start]]) end++;
      for (let position = start; position < end; position++) rank[order[position]] = (start + end - 1) / 2;
      start = end;
    }
    return rank;
  };
  const [x, y] = [ranks(left), ranks(right)];
  const [meanX, meanY] = [mean(x), mean(y)];
  let covariance = 0;
  let varianceX = 0;
  let varianceY = 0;
  for (let index = 0; index < x.length; index++) {
    covariance += (x[index] - meanX) * (y[index] - meanY);
    varianceX += (x[index] - meanX) ** 2;
    varianceY += (y[index] - meanY) ** 2;
  }
  return covariance / Math.sqrt(varianceX * varianceY);
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}
