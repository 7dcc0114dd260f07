/**
 * Reads a `multipart/form-data` upload (what `client.files.create` sends) with @fastify/busboy,
 * streaming: the file part is collected up to `maxFileBytes` and the upload is refused with 413
 * the moment it goes past, without buffering the rest.
 */
import type { IncomingMessage } from 'node:http';
import { Busboy } from '@fastify/busboy';
import { GatewayError, InvalidRequestError } from '../errors/index.js';

export interface Upload {
  fields: Record<string, string>;
  file: { filename: string; content: Buffer } | undefined;
}

export class UploadTooLargeError extends GatewayError {
  constructor(limitBytes: number) {
    super(`The file is larger than the limit of ${limitBytes} bytes (batch.max_file_bytes). Split it into several batches.`, {
      status: 413,
      type: 'invalid_request_error',
      code: 'file_too_large',
      param: 'file',
    });
  }
}

export function readUpload(request: IncomingMessage, maxFileBytes: number): Promise<Upload> {
  const contentType = request.headers['content-type'];
  if (!contentType?.toLowerCase().startsWith('multipart/form-data')) {
    return Promise.reject(new InvalidRequestError("Upload the file as multipart/form-data with the fields 'file' and 'purpose'.", 'file', 'invalid_content_type'));
  }
  return new Promise((resolve, reject) => {
    const fields: Record<string, string> = {};
    let file: Upload['file'];
    let failed = false;
    const fail = (error: Error) => {
      if (failed) return;
      failed = true;
      request.unpipe();
      request.resume();
      reject(error);
    };
    let parser;
    try {
      parser = new Busboy({ headers: { ...request.headers, 'content-type': contentType }, limits: { fileSize: maxFileBytes, files: 1, fields: 20, fieldSize: 64 * 1024 } });
    } catch (error) {
      reject(new InvalidRequestError(`The multipart body cannot be read: ${(error as Error).message}.`, 'file', 'invalid_multipart'));
      return;
    }
    let fileDone: Promise<void> = Promise.resolve();
    parser.on('field', (name, value) => {
      fields[name] = value;
    });
    parser.on('file', (name, stream, filename) => {
      if (name !== 'file') {
        stream.resume();
        return;
      }
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('limit', () => fail(new UploadTooLargeError(maxFileBytes)));
      fileDone = new Promise((done) =>
        stream.on('end', () => {
          file = { filename: filename || 'upload.jsonl', content: Buffer.concat(chunks) };
          done();
        }),
      );
    });
    parser.on('error', (error: unknown) => fail(new InvalidRequestError(`The multipart body cannot be read: ${(error as Error).message}.`, 'file', 'invalid_multipart')));
    parser.on('finish', () => {
      void fileDone.then(() => {
        if (!failed) resolve({ fields, file });
      });
    });
    request.on('error', (error) => fail(error));
    request.pipe(parser);
  });
}
