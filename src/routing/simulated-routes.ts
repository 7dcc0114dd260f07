/** Routes `--simulate` adds so routing can be watched without keys. */
import type { RouteConfig } from './route-schema.js';

export const SIMULATED_ROUTES: RouteConfig[] = [
  {
    name: 'sim-auto',
    strategy: 'learned',
    weak: 'sim-gpt-4o-mini',
    strong: 'sim-gpt-4o',
    // Between the 30%-strong thresholds of the shipped router on the two dev datasets
    // (`switchboard router calibrate --data gsm8k-dev.jsonl --strong-share 0.3`: 0.606;
    // mmlu-dev: 0.579; ≈26% strong over both). Recalibrate after retraining routers/default.json.
    threshold: 0.59,
  },
];
