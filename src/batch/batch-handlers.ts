/**
 * The files and batches endpoints, in OpenAI's shapes, so `client.files` and `client.batches` of
 * the official SDKs work unchanged:
 *
 *   POST   /v1/files                 upload a JSONL input file (multipart, purpose `batch`)
 *   GET    /v1/files/{id}            a file object
 *   GET    /v1/files/{id}/content    its content (input, output or error file)
 *   DELETE /v1/files/{id}
 *   POST   /v1/batches               create (validate, plan, hold the budget), start
 *   GET    /v1/batches/{id}          status, request counts, output and error file ids
 *   GET    /v1/batches               newest first; `after` and `limit`, `has_more`
 *   POST   /v1/batches/{id}/cancel
 *
 * A key sees only its own files and batches; the admin key sees all.
 */
import { InvalidRequestError, NotFoundError } from '../errors/index.js';
import type { Gateway } from '../server/gateway.js';
import type { HttpRoutes } from '../server/http-routes.js';
import { readModelRequestJson } from '../server/read-body.js';
import type { RequestContext } from '../server/request-context.js';
import { batchObject, fileObject, newFileId } from './batch-objects.js';
import { createBatch, viewerOf } from './create-batch.js';
import { readUpload } from './multipart-upload.js';

export function addBatchRoutes(routes: HttpRoutes): void {
  routes
    .add('POST', '/v1/files', handleUploadFile)
    .add('GET', '/v1/files/{id}', handleGetFile)
    .add('GET', '/v1/files/{id}/content', handleFileContent)
    .add('DELETE', '/v1/files/{id}', handleDeleteFile)
    .add('POST', '/v1/batches', handleCreateBatch)
    .add('GET', '/v1/batches', handleListBatches)
    .add('GET', '/v1/batches/{id}', handleGetBatch)
    .add('POST', '/v1/batches/{id}/cancel', handleCancelBatch);
}

async function handleUploadFile(gateway: Gateway, context: RequestContext): Promise<void> {
  const upload = await readUpload(context.request, gateway.config.batch.max_file_bytes);
  const purpose = upload.fields.purpose;
  if (purpose !== 'batch') throw new InvalidRequestError(`purpose must be 'batch': this gateway keeps files for batch jobs only${purpose ? ` (got '${purpose.slice(0, 40)}')` : ''}.`, 'purpose', 'invalid_value');
  if (!upload.file) throw new InvalidRequestError("The upload has no 'file' part.", 'file', 'missing_required_parameter');
  const file = {
    id: newFileId(),
    ownerKeyId: context.principal.kind === 'virtual-key' ? context.principal.key.id : null,
    purpose,
    filename: upload.file.filename.slice(0, 255),
    bytes: upload.file.content.length,
    createdAt: Date.now(),
  };
  await gateway.batches.store.insertFile(file, upload.file.content);
  context.sendJson(200, fileObject(file));
}

async function handleGetFile(gateway: Gateway, context: RequestContext): Promise<void> {
  const file = await gateway.batches.store.getFile(context.params.id!, viewerOf(context.principal));
  if (!file) throw fileNotFound(context.params.id!);
  context.sendJson(200, fileObject(file));
}

async function handleFileContent(gateway: Gateway, context: RequestContext): Promise<void> {
  const content = await gateway.batches.store.fileContent(context.params.id!, viewerOf(context.principal));
  if (!content) throw fileNotFound(context.params.id!);
  context.response.writeHead(200, { 'content-type': 'application/jsonl', 'content-length': content.length, ...context.headers });
  context.response.end(content);
}

async function handleDeleteFile(gateway: Gateway, context: RequestContext): Promise<void> {
  const id = context.params.id!;
  if (!(await gateway.batches.store.deleteFile(id, viewerOf(context.principal)))) throw fileNotFound(id);
  context.sendJson(200, { id, object: 'file', deleted: true });
}

async function handleCreateBatch(gateway: Gateway, context: RequestContext): Promise<void> {
  const body = await readModelRequestJson(context.request, gateway.config);
  const job = await createBatch(gateway, gateway.batches.store, context.principal, body);
  if (job.status === 'in_progress') void gateway.batches.runner.wake(job.id).catch((error) => gateway.logger.error({ err: error, batchId: job.id }, 'starting a batch failed; the next scan will'));
  context.sendJson(200, batchObject(job));
}

async function handleGetBatch(gateway: Gateway, context: RequestContext): Promise<void> {
  const job = await gateway.batches.store.getBatch(context.params.id!, viewerOf(context.principal));
  if (!job) throw batchNotFound(context.params.id!);
  context.sendJson(200, batchObject(job));
}

async function handleListBatches(gateway: Gateway, context: RequestContext): Promise<void> {
  const limitText = context.query.get('limit');
  const limit = limitText === null ? 20 : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new InvalidRequestError('limit must be an integer from 1 to 100.', 'limit', 'invalid_value');
  const page = await gateway.batches.store.listBatches(viewerOf(context.principal), { after: context.query.get('after') ?? undefined, limit });
  const data = page.data.map(batchObject);
  context.sendJson(200, { object: 'list', data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: page.hasMore });
}

async function handleCancelBatch(gateway: Gateway, context: RequestContext): Promise<void> {
  const job = await gateway.batches.store.requestCancel(context.params.id!, viewerOf(context.principal));
  if (!job) throw batchNotFound(context.params.id!);
  context.sendJson(200, batchObject(job));
}

function fileNotFound(id: string): NotFoundError {
  return new NotFoundError(`No file with id '${id}'.`);
}

function batchNotFound(id: string): NotFoundError {
  return new NotFoundError(`No batch with id '${id}'.`);
}
