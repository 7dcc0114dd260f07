/**
 * Whether a failed call failed here rather than upstream: a bug or a resource limit of this
 * process (a stack overflow in `JSON.stringify`, a TypeError in a mapper), not anything the
 * deployment did. Such a failure is not retried elsewhere — every deployment would fail the same
 * way — and never counts against the deployment's health: one bad request once cooled a
 * deployment down for every user (issue 12, finding 7).
 */
import { errors as undiciErrors } from 'undici';
import { GatewayError } from '../errors/index.js';

export function isLocalFault(error: unknown): boolean {
  if (error instanceof GatewayError || error instanceof undiciErrors.UndiciError) return false;
  return error instanceof RangeError || error instanceof TypeError || error instanceof SyntaxError || error instanceof ReferenceError;
}
