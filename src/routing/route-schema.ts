/**
 * Routes: model names clients can send that pick a real model per request.
 */
import { z } from 'zod';

export const routeSchema = z.looseObject({
  name: z.string().min(1),
  strategy: z.enum(['fixed', 'random', 'rules', 'learned', 'cascade', 'pipeline']),
});

export type RouteConfig = z.infer<typeof routeSchema>;
