/**
 * Precision and recall of the built-in PII detectors on the two labelled sets kept in the repo,
 * per entity, as Markdown tables:
 * - `pii-labelled.jsonl`, the development set the detectors were tuned on;
 * - `pii-holdout.jsonl`, written after tuning and not tuned on: its figures are the honest ones.
 *
 *   npm run guardrails:eval [-- --errors]
 *
 * `--errors` also lists every miss and false positive with the note of its text. The last lines
 * are the scan cost (CPU time per kilobyte, all detectors on) of the labelled texts, which are
 * dense with digits by design, and of plain prose with one phone number in it.
 */
import { parseArgs } from 'node:util';
import { evaluateDetectors, formatEvaluation } from '../src/guardrails/pii/evaluation/evaluate-detectors.js';
import { HOLDOUT_SET_PATH, LABELLED_SET_PATH, loadLabelledSet } from '../src/guardrails/pii/evaluation/labelled-set.js';
import { PiiScanner } from '../src/guardrails/pii/pii-scanner.js';

const { values } = parseArgs({ options: { errors: { type: 'boolean', default: false } } });
// The phone regions the labelled texts' national numbers come from.
const scanner = new PiiScanner({ phoneRegions: ['US', 'GB'] });
for (const [name, path] of [['held-out set (not tuned on)', HOLDOUT_SET_PATH], ['development set (tuned on)', LABELLED_SET_PATH]] as const) {
  const evaluation = evaluateDetectors(scanner, loadLabelledSet(path));
  process.stdout.write(`PII detectors, ${name}: ${evaluation.texts} texts (match = same entity, overlapping span)\n\n${formatEvaluation(evaluation)}\n\n`);
  if (values.errors) {
    for (const error of evaluation.errors) process.stdout.write(`${error.kind.padEnd(14)} ${error.entity.padEnd(11)} ${JSON.stringify(error.value)}  (${error.note})\n`);
    process.stdout.write('\n');
  }
}

/** CPU microseconds per KB to scan `texts`, after a warm-up round; CPU time, so a busy machine does not inflate it. */
function scanCost(texts: readonly string[], rounds: number): { perKilobyte: number; kilobytes: number } {
  const kilobytes = texts.reduce((total, text) => total + Buffer.byteLength(text), 0) / 1024;
  for (const text of texts) scanner.scan(text);
  const started = process.cpuUsage();
  for (let round = 0; round < rounds; round++) for (const text of texts) scanner.scan(text);
  const used = process.cpuUsage(started);
  return { perKilobyte: (used.user + used.system) / rounds / kilobytes, kilobytes };
}

const labelledTexts = [...loadLabelledSet(HOLDOUT_SET_PATH), ...loadLabelledSet(LABELLED_SET_PATH)].map((labelled) => labelled.text);
const labelledCost = scanCost(labelledTexts, 20);
const prose = `${'We met the team on Tuesday to review the roadmap for next quarter. Everyone agreed that the onboarding flow needs work, and that support should answer faster. '.repeat(12)}Call me at (415) 555-2671.`;
const proseCost = scanCost([prose], 500);
process.stdout.write(`Scan cost, all detectors, regions US and GB (µs of CPU per KB):\n`);
process.stdout.write(`- labelled texts (${labelledTexts.length} texts, ${labelledCost.kilobytes.toFixed(1)} KB, dense with numbers): ${labelledCost.perKilobyte.toFixed(0)}\n`);
process.stdout.write(`- prose with one phone number (${proseCost.kilobytes.toFixed(1)} KB): ${proseCost.perKilobyte.toFixed(0)}\n`);
