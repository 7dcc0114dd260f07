/**
 * Managing teams and end users through the admin API: list (config and stored together), create,
 * update, delete. Config entries are read-only here (stored-limits.ts says why); every change is
 * recorded in the audit log as `team.create`, `end_user.update`… with the state before and after.
 */
import type { AuditActor } from '../../audit/audit-actor.js';
import type { AuditLog } from '../../audit/audit-log.js';
import { ConflictError, NotFoundError } from '../../errors/index.js';
import type { GovernanceConfig, Limits } from '../governance-schema.js';
import { KIND_LABEL, newLimitsEntry, updatedLimitsEntry, type LimitsEntry, type LimitsEntrySettings, type LimitsKind, type LimitsUpdate } from './limits-entry.js';
import { StoredLimits } from './stored-limits.js';

/** One team or end user as the API shows it. */
export interface ListedLimits {
  kind: LimitsKind;
  name: string;
  /** `config`: from switchboard.yaml, read-only here; `api`: made through the admin API. */
  source: 'config' | 'api';
  limits: Limits;
  created_at: number | null;
  updated_at: number | null;
}

const AUDIT_NOUN: Record<LimitsKind, string> = { team: 'team', user: 'end_user' };

export class LimitsAdmin {
  constructor(
    private readonly stored: StoredLimits,
    private readonly audit: AuditLog,
    private readonly config: () => GovernanceConfig,
  ) {}

  async list(kind: LimitsKind): Promise<ListedLimits[]> {
    const config = this.config();
    const fromConfig = Object.entries(kind === 'team' ? config.teams : config.end_users.users).map(([name, limits]) => configEntry(kind, name, limits));
    const configured = new Set(fromConfig.map((entry) => entry.name));
    const fromApi = (await this.stored.store.list(kind)).filter((entry) => !configured.has(entry.name)).map(apiEntry);
    return [...fromConfig, ...fromApi].sort((first, second) => first.name.localeCompare(second.name));
  }

  async get(kind: LimitsKind, name: string): Promise<ListedLimits> {
    const configured = StoredLimits.fromConfig(this.config(), kind, name);
    if (configured) return configEntry(kind, name, configured);
    const entry = await this.stored.store.get(kind, name);
    if (!entry) throw notFound(kind, name);
    return apiEntry(entry);
  }

  async create(kind: LimitsKind, settings: LimitsEntrySettings, by: AuditActor): Promise<ListedLimits> {
    this.refuseConfigured(kind, settings.name);
    const entry = newLimitsEntry(kind, settings);
    if (!(await this.stored.store.insert(entry))) {
      throw new ConflictError(`The ${KIND_LABEL[kind]} '${entry.name}' exists already; change it with POST ${apiPath(kind)}/update.`, 'already_exists');
    }
    this.stored.forget(kind, entry.name);
    await this.audit.record(`${AUDIT_NOUN[kind]}.create`, { ...by, target: entry.name, after: entry.limits });
    return apiEntry(entry);
  }

  async update(kind: LimitsKind, update: LimitsUpdate, by: AuditActor): Promise<ListedLimits> {
    this.refuseConfigured(kind, update.name);
    const current = await this.stored.store.get(kind, update.name);
    if (!current) throw notFound(kind, update.name);
    const next = updatedLimitsEntry(current, update);
    await this.stored.store.replace(next);
    this.stored.forget(kind, next.name);
    await this.audit.record(`${AUDIT_NOUN[kind]}.update`, { ...by, target: next.name, before: current.limits, after: next.limits });
    return apiEntry(next);
  }

  async delete(kind: LimitsKind, name: string, by: AuditActor): Promise<void> {
    this.refuseConfigured(kind, name);
    const current = await this.stored.store.get(kind, name);
    if (!current || !(await this.stored.store.delete(kind, name))) throw notFound(kind, name);
    this.stored.forget(kind, name);
    await this.audit.record(`${AUDIT_NOUN[kind]}.delete`, { ...by, target: name, before: current.limits });
  }

  private refuseConfigured(kind: LimitsKind, name: string): void {
    if (StoredLimits.fromConfig(this.config(), kind, name) === undefined) return;
    const section = kind === 'team' ? 'governance.teams' : 'governance.end_users.users';
    throw new ConflictError(`The ${KIND_LABEL[kind]} '${name}' is defined in the config file (${section}), which takes precedence; change it there and reload.`, 'defined_in_config');
  }
}

function configEntry(kind: LimitsKind, name: string, limits: Limits): ListedLimits {
  return { kind, name, source: 'config', limits, created_at: null, updated_at: null };
}

function apiEntry(entry: LimitsEntry): ListedLimits {
  return { kind: entry.kind, name: entry.name, source: 'api', limits: entry.limits, created_at: entry.created_at, updated_at: entry.updated_at };
}

function notFound(kind: LimitsKind, name: string): NotFoundError {
  return new NotFoundError(`No ${KIND_LABEL[kind]} '${name}'. Create it with POST ${apiPath(kind)}.`);
}

export function apiPath(kind: LimitsKind): string {
  return kind === 'team' ? '/api/teams' : '/api/end-users';
}
