/**
 * Precision and recall of the built-in PII detectors on the two labelled sets kept in the repo,
 * per entity, as Markdown tables:
 * - `pii-labelled.jsonl`, the development set the detectors were tuned on;
 * - `pii-holdout.jsonl`, written after tuning and not tuned on: its figures are the honest ones.
 *
 *   npm run guardrails:eval [-- --errors]
 *
 * `--errors` also lists every miss and false positive with the note of its text. The last line
 * is the scan cost: CPU time per kilobyte of text, all detectors on, over both sets.
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

// Scan cost: both sets, all detectors, after a warm-up round; CPU time, so a busy machine does not inflate it.
const texts = [...loadLabelledSet(HOLDOUT_SET_PATH), ...loadLabelledSet(LABELLED_SET_PATH)].map((labelled) => labelled.text);
const kilobytes = texts.reduce((total, text) => total + Buffer.byteLength(text), 0) / 1024;
for (const text of texts) scanner.scan(text);
const rounds = 20;
const started = process.cpuUsage();
for (let round = 0; round < rounds; round++) for (const text of texts) scanner.scan(text);
const used = process.cpuUsage(started);
const microseconds = (used.user + used.system) / rounds;
process.stdout.write(`Scan cost: ${(microseconds / kilobytes).toFixed(0)} µs of CPU per KB of text (${texts.length} texts, ${kilobytes.toFixed(1)} KB, all detectors, regions US and GB).\n`);
