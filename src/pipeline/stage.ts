/**
 * A stage of the request pipeline: one concern (admission, input guardrails, cache, context
 * fitting, shadow tests…) that wraps the rest of the pipeline, as Hono's `compose` and
 * Fastify's hooks do. A stage may change the exchange before calling `next`, answer without
 * calling it (a cache hit, a refusal), or look at and transform the outcome after it.
 *
 * Stages are chosen once, at startup, by their factories: a stage that is off is absent, so it
 * costs nothing per request, and with no stages the pipeline is its terminal step alone.
 */
export interface Stage<Exchange, Outcome> {
  readonly name: string;
  run(exchange: Exchange, next: () => Promise<Outcome>): Promise<Outcome>;
}

/** Wraps `terminal` in `stages`, the first outermost. Built once; per request it costs one closure per stage. */
export function compose<Exchange, Outcome>(stages: ReadonlyArray<Stage<Exchange, Outcome>>, terminal: (exchange: Exchange) => Promise<Outcome>): (exchange: Exchange) => Promise<Outcome> {
  let run = terminal;
  for (let index = stages.length - 1; index >= 0; index--) {
    const stage = stages[index]!;
    const next = run;
    run = (exchange) => stage.run(exchange, () => next(exchange));
  }
  // A stage with nothing to do returns `next()` without an async frame of its own, so an error
  // thrown before any await would escape synchronously: callers always get a promise.
  const pipeline = run;
  return (exchange) => {
    try {
      return pipeline(exchange);
    } catch (error) {
      return Promise.reject(error);
    }
  };
}
