export * from './gateway-error.js';
export * from './upstream-errors.js';
