/** Reading an admin API body against its zod schema: the first problem becomes a 400 naming the field. */
import type { z } from 'zod';
import { InvalidRequestError } from '../../errors/index.js';
import { formatPath } from '../../protocol/chat-request-schema.js';
import { readJson } from '../../server/read-body.js';
import type { RequestContext } from '../../server/request-context.js';

const ADMIN_BODY_BYTES = 1024 * 1024;

export async function readAdminBody<T extends z.ZodType>(context: RequestContext, schema: T): Promise<z.infer<T>> {
  return parseAdminBody(schema, await readJson(context.request, ADMIN_BODY_BYTES));
}

export function parseAdminBody<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const param = issue.path.length > 0 ? formatPath(issue.path) : null;
  throw new InvalidRequestError(param ? `Invalid value for '${param}': ${issue.message}` : `Invalid request body: ${issue.message}`, param, 'invalid_value');
}
