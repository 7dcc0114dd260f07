/**
 * A request longer than its named model's `context_window` is sent, before any call, to that
 * model's `context_window_fallback` (following the chain to the first model it fits, or whose
 * window is not set); with nowhere to go it is refused with 400 `context_too_long`. It never
 * goes upstream to fail. The client's native body, if any, goes with it: a pass-through reads
 * nothing from it but `model`, which each deployment replaces with its own.
 */
import { InvalidRequestError } from '../errors/index.js';
import type { ModelRegistry } from '../models/model-registry.js';
import { attachNativeBody, nativeBodyOf } from '../protocol/native-body.js';
import type { ChatCompletionRequest } from '../protocol/chat-types.js';

/** The request on a model whose window holds `tokens`, or the same request when it fits. */
export function fitWindow(request: ChatCompletionRequest, tokens: number, registry: ModelRegistry): ChatCompletionRequest {
  let model = registry.get(request.model);
  const seen = new Set<string>();
  while (model?.config.context_window !== undefined && tokens > model.config.context_window) {
    seen.add(model.name);
    const next = model.config.context_window_fallback;
    if (!next || seen.has(next) || !registry.get(next)) {
      throw new InvalidRequestError(
        `This request has ${tokens} input tokens; '${model.name}' accepts ${model.config.context_window}${next ? '' : ' and has no context_window_fallback'}.`,
        'messages',
        'context_too_long',
      );
    }
    model = registry.get(next);
  }
  if (!model || model.name === request.model) return request;
  const moved: ChatCompletionRequest = { ...request, model: model.name };
  const native = nativeBodyOf(request);
  if (native) attachNativeBody(moved, native);
  return moved;
}
