/**
 * Admission of one request before it goes upstream, and its settlement afterwards:
 *
 *   scope check → degrade (from budget usage) → rate limit → reserve the maximum cost
 *   … upstream call …
 *   settle: replace the reservation with the actual cost (0 on failure), correct TPM.
 *
 * Reserve-then-settle is what keeps a budget exact under concurrency: 100 requests arriving
 * together each hold their worst case, so the ones that do not fit are refused up front
 * instead of all passing a "spent < budget" check and overspending together. Chat completions
 * (admit-chat.ts) and embeddings (admit-embeddings.ts) are admitted the same way.
 */
import type { Logger } from 'pino';
import type { ModelRegistry } from '../../models/model-registry.js';
import type { RouteTable } from '../../routing/route-table.js';
import type { RequestLogStore } from '../../storage/request-log-store.js';
import type { RequestRecord } from '../../storage/request-record.js';
import { PermissionError } from '../../errors/index.js';
import type { CounterStore } from '../counters/counter-store.js';
import type { GovernanceConfig } from '../governance-schema.js';
import type { Principal } from '../keys/authenticate.js';
import type { VirtualKey } from '../keys/virtual-key.js';
import type { StoredLimits } from '../scope-limits/stored-limits.js';

export interface AdmissionServices {
  config: GovernanceConfig;
  counters: CounterStore;
  registry: ModelRegistry;
  routes: RouteTable;
  store: RequestLogStore;
  logger: Logger;
  /** Teams and end users made through the admin API, read behind the config's own. */
  limits: StoredLimits;
  /** Counters this process has seeded from the request log, by counter key. */
  seeded: Map<string, Promise<void>>;
}

export interface Admission {
  /** Headers for the response: `x-ratelimit-*`, `x-switchboard-degraded`. */
  headers: Record<string, string>;
  /** Settles the reservation to the record's actual cost and tokens. Never throws. */
  settle(record: RequestRecord): Promise<void>;
}

export const NOTHING_TO_SETTLE: Admission = { headers: {}, settle: async () => {} };

export function virtualKeyOf(principal: Principal): VirtualKey | undefined {
  return principal.kind === 'virtual-key' ? principal.key : undefined;
}

/** A key limited to some models may not name another: checked before anything is reserved. */
export function checkModelScope(key: VirtualKey | undefined, model: string): void {
  if (key?.models && !key.models.includes(model)) {
    throw new PermissionError(`The key '${key.name}' may not use '${model}'. It may use: ${key.models.join(', ')}.`, 'model_not_allowed');
  }
}
