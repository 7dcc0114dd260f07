/** Routes `--simulate` adds so routing can be watched without keys. */
import type { RouteConfig } from './route-schema.js';

// Between the 30%-strong thresholds of the shipped router on the two dev datasets
// (`switchboard router calibrate --data gsm8k-dev.jsonl --strong-share 0.3`: 0.606;
// mmlu-dev: 0.579; ≈26% strong over both). Recalibrate after retraining routers/default.json.
const THRESHOLD = 0.59;

export const SIMULATED_ROUTES: RouteConfig[] = [
  { name: 'auto', strategy: 'learned', weak: 'gpt-4o-mini', strong: 'gpt-4o', threshold: THRESHOLD },
  // The name earlier releases used, over the `sim-…` model names.
  { name: 'sim-auto', strategy: 'learned', weak: 'sim-gpt-4o-mini', strong: 'sim-gpt-4o', threshold: THRESHOLD },
];
