/** OpenAI itself: the compatible base with OpenAI's default URL. */
import type { ProviderDeployment } from '../provider.js';
import { OpenAICompatibleProvider } from '../openai-compatible/openai-compatible-provider.js';

export const OPENAI_BASE_URL = 'https://api.openai.com/v1';

export class OpenAIProvider extends OpenAICompatibleProvider {
  constructor(deployment: ProviderDeployment) {
    super({ ...deployment, baseUrl: deployment.baseUrl || OPENAI_BASE_URL });
  }
}
