/** The PII guardrail's public API; see pii-guard.ts for how the pieces fit a request. */
export { PII_ENTITIES, PLACEHOLDER_LABELS, type PiiDetector, type PiiEntity, type PiiFindings, type PiiMatch } from './entities.js';
export { PiiScanner, type PiiScannerOptions } from './pii-scanner.js';
export { PiiMasker, type UnmaskMode } from './pii-masker.js';
export { rewriteChatRequestText, type TextRewrite } from './chat-request-text.js';
export { unmaskCompletion, type UnmaskOptions } from './unmask-completion.js';
export { StreamUnmasker } from './stream-unmasker.js';
export { ChunkUnmasker, unmaskChunks } from './chunk-unmasker.js';
export { piiGuardrailSchema, piiOverrideSchema, resolvePiiConfig, type PiiGuardrailConfig, type PiiOverride } from './pii-config.js';
export { createPiiGuard, type PiiGuard, type PiiInspection } from './pii-guard.js';
