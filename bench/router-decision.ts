/**
 * Microbenchmark of a learned-router decision: the time `score()` takes on an ~8k-token prompt
 * (~32k characters of mixed prose, maths and code), which the gateway spends on every `auto`
 * request. The budget is 1 ms at p99; the script exits non-zero above it.
 *
 *   npm run bench:router [-- --router routers/default.json --iterations 5000 --characters 32000]
 */
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { countTokens, loadTokenizer } from '../src/cost/token-counter.js';
import { DEFAULT_ROUTER_PATH } from '../src/routing/learned/default-router.js';
import { loadLearnedRouter } from '../src/routing/learned/learned-router.js';

const BUDGET_MILLISECONDS = 1;

const { values } = parseArgs({
  options: {
    router: { type: 'string', default: DEFAULT_ROUTER_PATH },
    iterations: { type: 'string', default: '5000' },
    characters: { type: 'string', default: '32000' },
  },
});
const iterations = Number(values.iterations);
const characters = Number(values.characters);

const PARAGRAPHS = [
  'Janet has 17 ducks that lay 16 eggs per day. She eats three for breakfast every morning and bakes muffins for her friends with 4.5 of them. How much in dollars does she make every day at the farmers market if she sells the rest at $2 per egg? ',
  'Explain, step by step, why the integral of 1/(1+x^2) from 0 to infinity equals pi/2, and compare it with the sum of 1/n^2 = pi^2/6. ',
  'function mergeIntervals(intervals) { intervals.sort((a, b) => a[0] - b[0]); const result = []; for (const [start, end] of intervals) { if (result.length && result.at(-1)[1] >= start) result.at(-1)[1] = Math.max(result.at(-1)[1], end); else result.push([start, end]); } return result; }\n',
  'The following passage discusses the economic consequences of the Treaty of Versailles for the Weimar Republic, including reparations, hyperinflation in 1923 and the Dawes Plan of 1924. Summarise its argument and evaluate whether the author is persuasive. ',
  'Écrivez un résumé de ce texte en français, puis traduisez-le en allemand; 日本語でも説明してください。 ',
];

/** Prompts of the wanted length, each starting at a different paragraph so no two are identical. */
function prompts(count: number): string[] {
  return Array.from({ length: count }, (_, variant) => {
    let text = '';
    for (let index = variant; text.length < characters; index++) text += PARAGRAPHS[index % PARAGRAPHS.length];
    return text.slice(0, characters);
  });
}

function percentile(sorted: Float64Array, fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))];
}

const router = loadLearnedRouter(values.router);
const inputs = prompts(8);
await loadTokenizer();
const tokens = countTokens(inputs[0]);

let sink = 0;
for (let index = 0; index < 500; index++) sink += router.score(inputs[index % inputs.length]);
// Wall-clock time is the budget. CPU time is printed beside it because on a busy machine the
// wall-clock tail is the scheduler's preemption, not the router.
const timings = new Float64Array(iterations);
const cpuTimings = new Float64Array(iterations);
for (let index = 0; index < iterations; index++) {
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  sink += router.score(inputs[index % inputs.length]);
  timings[index] = Number(process.hrtime.bigint() - start) / 1e6;
  const cpu = process.cpuUsage(cpuStart);
  cpuTimings[index] = (cpu.user + cpu.system) / 1000;
}
timings.sort();
cpuTimings.sort();
const p99 = percentile(timings, 0.99);
const format = (milliseconds: number): string => `${(milliseconds * 1000).toFixed(0)} µs`;
console.log(`router: ${values.router}`);
console.log(`prompt: ${characters} characters, ${tokens} tokens (o200k); ${iterations} decisions (checksum ${sink.toFixed(3)})`);
console.log(`wall clock: p50 ${format(percentile(timings, 0.5))}  p90 ${format(percentile(timings, 0.9))}  p99 ${format(p99)}  max ${format(timings[timings.length - 1])}`);
console.log(`CPU time:   p50 ${format(percentile(cpuTimings, 0.5))}  p90 ${format(percentile(cpuTimings, 0.9))}  p99 ${format(percentile(cpuTimings, 0.99))}`);
console.log(`load average ${loadavg().map((load) => load.toFixed(1)).join(' ')} on ${availableParallelism()} cores`);
console.log(p99 <= BUDGET_MILLISECONDS ? `within the ${BUDGET_MILLISECONDS} ms p99 budget` : `OVER the ${BUDGET_MILLISECONDS} ms p99 budget`);
if (p99 > BUDGET_MILLISECONDS) process.exitCode = 1;
