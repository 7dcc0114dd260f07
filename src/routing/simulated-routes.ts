/** Routes `--simulate` adds so routing can be watched without keys. */
import type { RouteConfig } from './route-schema.js';

export const SIMULATED_ROUTES: RouteConfig[] = [
  {
    name: 'sim-auto',
    strategy: 'learned',
    weak: 'sim-gpt-4o-mini',
    strong: 'sim-gpt-4o',
    // About 30% of the routing dev prompts score above this with the shipped router
    // (`switchboard router calibrate --data gsm8k-dev.jsonl --strong-share 0.3`).
    threshold: 0.2,
  },
];
