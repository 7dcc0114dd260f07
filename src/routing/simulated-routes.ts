/** Routes `--simulate` adds so the routing can be watched without keys. */
import type { RouteConfig } from './route-schema.js';

export const SIMULATED_ROUTES: RouteConfig[] = [];
