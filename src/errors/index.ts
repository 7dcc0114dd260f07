export * from './gateway-error.js';
export * from './upstream-errors.js';
export * from './network-errors.js';
export * from './guardrail-errors.js';
export * from './untranslatable-feature-error.js';
