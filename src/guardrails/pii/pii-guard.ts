/**
 * The PII guardrail as one object per configuration, built at startup (or once per distinct
 * resolved config) and called per request. It checks a chat request and, under `mask`, gives
 * back the masked request and the masker that unmasks the answer.
 *
 *   const guard = createPiiGuard(config);                    // PiiGuardrailConfig
 *   const inspection = guard.inspect(request);               // throws PiiDetectedError (block) or GuardrailFailedError
 *   callUpstream(inspection.request);                        // masked under `mask`
 *   headers['x-switchboard-guardrails'] = inspection.header; // 'pii_masked=3', never values
 *   if (inspection.unmasker) {
 *     completion = unmaskCompletion(completion, inspection.unmasker);          // JSON answers
 *     const chunks = new ChunkUnmasker(inspection.unmasker);                    // streams
 *   }
 *
 * `unmasker` is set only when something was masked and `unmask` is on, so an answer to a
 * request without personal data goes through untouched at no cost.
 */
import { GuardrailFailedError, PiiDetectedError } from '../../errors/index.js';
import type { ChatCompletionRequest } from '../../protocol/chat-types.js';
import { attachNativeBody, nativeBodyOf } from '../../protocol/native-body.js';
import { rewriteAnthropicBodyText } from './anthropic-body-text.js';
import { rewriteChatRequestText } from './chat-request-text.js';
import type { PiiDetector, PiiEntity, PiiFindings } from './entities.js';
import type { PiiGuardrailConfig } from './pii-config.js';
import { PiiMasker } from './pii-masker.js';
import { PiiScanner } from './pii-scanner.js';

export interface PiiInspection {
  /** The request to send upstream: masked under `mask`, else the caller's own object. */
  request: ChatCompletionRequest;
  /** Occurrences found per entity type (masked, or only counted under `log`). */
  findings: PiiFindings;
  /** For `x-switchboard-guardrails`: `pii_masked=N`, `pii_found=N` (log), `pii_check_failed`; undefined when nothing was found. */
  header: string | undefined;
  /** Unmasks the answer; set when values were masked and `unmask` is on. */
  unmasker: PiiMasker | undefined;
  /** The request's map under `mask` when something was masked, `unmask` or not: what keeps logged copies masked. */
  masker?: PiiMasker;
  /** The detector failure that `on_error: pass` let through, for the log. */
  failure?: unknown;
}

export interface PiiGuard {
  readonly config: PiiGuardrailConfig;
  inspect(request: ChatCompletionRequest): PiiInspection;
}

export function createPiiGuard(config: PiiGuardrailConfig, options: { detectors?: readonly PiiDetector[] } = {}): PiiGuard {
  const scanner = new PiiScanner({ entities: config.entities, phoneRegions: config.phone_regions, detectors: options.detectors });
  return {
    config,
    inspect(request) {
      try {
        return inspect(config, scanner, request);
      } catch (error) {
        if (error instanceof PiiDetectedError) throw error;
        if (config.on_error === 'block') throw new GuardrailFailedError('pii', error);
        return { request, findings: {}, header: 'pii_check_failed', unmasker: undefined, failure: error };
      }
    },
  };
}

function inspect(config: PiiGuardrailConfig, scanner: PiiScanner, request: ChatCompletionRequest): PiiInspection {
  if (config.action === 'mask') {
    const masker = new PiiMasker();
    let masked = rewriteChatRequestText(request, (text) => masker.mask(text, scanner.scan(text)));
    // The native body repeats the canonical text: its occurrences count only when the canonical had none (text only it carries).
    masked = withMaskedNativeBody(request, masked, masker, scanner, masker.maskedCount === 0);
    if (masker.size === 0) return { request, findings: {}, header: undefined, unmasker: undefined };
    return { request: masked, findings: masker.findings, header: `pii_masked=${masker.maskedCount}`, unmasker: config.unmask ? masker : undefined, masker };
  }
  const findings: PiiFindings = {};
  let found = 0;
  rewriteChatRequestText(request, (text) => {
    for (const match of scanner.scan(text)) {
      findings[match.entity] = (findings[match.entity] ?? 0) + 1;
      found++;
    }
    return text;
  });
  if (found === 0) return { request, findings, header: undefined, unmasker: undefined };
  if (config.action === 'block') throw new PiiDetectedError(Object.keys(findings) as PiiEntity[]);
  return { request, findings, header: `pii_found=${found}`, unmasker: undefined };
}

/**
 * A request decoded from a body that may pass through as it is (an Anthropic deployment gets the
 * client's own `/v1/messages` body): that body is masked with the same map and attached to the
 * masked request, so what is actually sent carries placeholders, and the pass-through (thinking
 * blocks, signatures, beta fields) is kept.
 */
function withMaskedNativeBody(original: ChatCompletionRequest, masked: ChatCompletionRequest, masker: PiiMasker, scanner: PiiScanner, count: boolean): ChatCompletionRequest {
  const native = nativeBodyOf(original);
  if (!native) return masked;
  const body = rewriteAnthropicBodyText(native.body, (text) => masker.mask(text, scanner.scan(text), { count }));
  if (body === native.body && masked === original) return masked;
  const carrier = masked === original ? { ...original } : masked;
  attachNativeBody(carrier, { ...native, body });
  return carrier;
}
