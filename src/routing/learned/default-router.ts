/**
 * Where the shipped default router lives: `routers/default.json` at the package root, found
 * from this module's own location so it works from `src/` (tsx, tests) and from `dist/`.
 * Built by `npm run router:train-default`; what it was trained on is in docs/routing-quality.md.
 */
import { fileURLToPath } from 'node:url';

export const DEFAULT_ROUTER_PATH = fileURLToPath(new URL('../../../routers/default.json', import.meta.url));
