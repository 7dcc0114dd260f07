/**
 * Builds the provider adapter for a deployment. The only place that knows every provider.
 */
import type { ChatProvider, ProviderDeployment } from './provider.js';
import { OpenAIProvider } from './openai/openai-provider.js';
import { OpenAICompatibleProvider } from './openai-compatible/openai-compatible-provider.js';
import { SimulatedProvider } from './simulated/simulated-provider.js';
import { AnthropicProvider } from './anthropic/anthropic-provider.js';
import { GeminiProvider } from './gemini/gemini-provider.js';
import type { BatchApi } from './batch-api.js';
import { OpenAIBatchApi } from './openai-compatible/openai-batch-api.js';
import { AnthropicMessageBatchesApi } from './anthropic/message-batches-api.js';
import { GeminiBatchApi } from './gemini/gemini-batch-api.js';

export function createProvider(deployment: ProviderDeployment): ChatProvider {
  switch (deployment.provider) {
    case 'openai':
      return new OpenAIProvider(deployment);
    case 'openai-compatible':
      return new OpenAICompatibleProvider(deployment);
    case 'simulated':
      return new SimulatedProvider(deployment);
    case 'anthropic':
      return new AnthropicProvider(deployment);
    case 'gemini':
      return new GeminiProvider(deployment);
  }
}

/** Default `base_url` per provider, with the same meaning as in the provider's official SDK. */
export const DEFAULT_BASE_URLS: Record<ProviderDeployment['provider'], string> = {
  openai: 'https://api.openai.com/v1',
  'openai-compatible': '',
  anthropic: 'https://api.anthropic.com',
  gemini: 'https://generativelanguage.googleapis.com',
  simulated: 'simulated://',
};

/**
 * The provider's own batch API for a deployment, when it has one the gateway can use at the
 * provider's batch price: OpenAI's Batch API, Anthropic's Message Batches and Gemini's batch
 * mode. Other deployments (OpenAI-compatible servers, simulated models) have their batch lines
 * run by the gateway itself.
 */
export function createBatchApi(deployment: ProviderDeployment): BatchApi | undefined {
  switch (deployment.provider) {
    case 'openai':
      return new OpenAIBatchApi({ ...deployment, baseUrl: deployment.baseUrl || DEFAULT_BASE_URLS.openai });
    case 'anthropic':
      return new AnthropicMessageBatchesApi(deployment);
    case 'gemini':
      return new GeminiBatchApi(deployment);
    default:
      return undefined;
  }
}
