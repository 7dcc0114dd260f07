/**
 * The configured models with their deployments bound to provider adapters and prices resolved,
 * looked up by the name clients send.
 */
import type { GatewayConfig, ModelConfig } from '../config/schema.js';
import { ConfigError } from '../config/config-error.js';
import { knownOutputLimit } from '../cost/output-limits.js';
import { lookupPrice, type ModelPrice } from '../cost/price-catalog.js';
import { createProvider, DEFAULT_BASE_URLS } from '../providers/create-provider.js';
import type { ChatProvider, ProviderDeployment } from '../providers/provider.js';

export interface ResolvedDeployment {
  id: string;
  provider: ChatProvider;
  info: ProviderDeployment;
  /** Price of this deployment's upstream model; undefined when neither config nor catalog knows it. */
  price: ModelPrice | undefined;
  weight: number;
  rpm: number | undefined;
  tpm: number | undefined;
  /**
   * The most output one call to this deployment can produce when the request sets no cap: what
   * the provider sends by default, else the model's documented limit; undefined when unknown.
   */
  outputCeiling: number | undefined;
}

export interface ResolvedModel {
  name: string;
  config: ModelConfig;
  deployments: ResolvedDeployment[];
  /** The price used for budgets and baselines: the first deployment's. */
  price: ModelPrice | undefined;
  simulated: boolean;
}

export class ModelRegistry {
  private readonly models = new Map<string, ResolvedModel>();

  constructor(config: Pick<GatewayConfig, 'models'>) {
    for (const model of config.models) this.models.set(model.name, resolveModel(model));
  }

  get(name: string): ResolvedModel | undefined {
    return this.models.get(name);
  }

  has(name: string): boolean {
    return this.models.has(name);
  }

  names(): string[] {
    return [...this.models.keys()];
  }

  all(): ResolvedModel[] {
    return [...this.models.values()];
  }
}

function resolveModel(model: ModelConfig): ResolvedModel {
  const upstreams = model.deployments ?? [
    {
      provider: model.provider!,
      model: model.model,
      base_url: model.base_url,
      api_key: model.api_key,
      headers: model.headers,
      api_version: model.api_version,
      weight: 1,
      rpm: undefined,
      tpm: undefined,
    },
  ];
  const deployments = upstreams.map((upstream, index): ResolvedDeployment => {
    const baseUrl = upstream.base_url ?? DEFAULT_BASE_URLS[upstream.provider];
    if (!baseUrl) throw new ConfigError(`models '${model.name}': provider openai-compatible needs a base_url`);
    const info: ProviderDeployment = {
      id: `${model.name}#${index}`,
      provider: upstream.provider,
      model: upstream.model ?? model.model ?? model.name,
      baseUrl,
      apiKey: upstream.api_key || undefined,
      headers: upstream.headers,
      apiVersion: upstream.api_version,
    };
    const provider = createProvider(info);
    return {
      id: info.id,
      provider,
      info,
      price: model.price ?? lookupPrice(info.model) ?? lookupPrice(model.name),
      weight: upstream.weight,
      rpm: upstream.rpm,
      tpm: upstream.tpm,
      outputCeiling: provider.defaultOutputCeiling ?? knownOutputLimit(info.model) ?? knownOutputLimit(model.name),
    };
  });
  return {
    name: model.name,
    config: model,
    deployments,
    price: deployments[0]!.price,
    simulated: model.simulated === true || deployments.every((deployment) => deployment.info.provider === 'simulated'),
  };
}
