import busboy from 'busboy';
import type { FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { PlatformErrors } from './platform.errors';

export interface FilePart {
  stream: Readable;
  filename: string;
  mimeType: string;
}

/**
 * The part `file` of a multipart/form-data request, as a stream (never buffered whole); the stream emits `limit`
 * and is truncated beyond `maxBytes`. 400 naming `file` when the request is not multipart or has no such part.
 */
export function filePart(request: FastifyRequest | IncomingMessage, maxBytes: number): Promise<FilePart> {
  // the body is left unread by the catch-all content-type parser (configureHttp): busboy reads the Node request
  const req = 'raw' in request ? request.raw : request;
  return new Promise((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      bb = busboy({ headers: req.headers, limits: { files: 1, fileSize: maxBytes } });
    } catch {
      reject(
        PlatformErrors.error('validation_failed', 'file: send the CSV as multipart/form-data in a part named "file"', [
          { field: 'file', reason: 'is required (multipart/form-data)' },
        ]),
      );
      return;
    }
    let found = false;
    bb.on('file', (name, stream, info) => {
      if (name !== 'file' || found) {
        stream.resume();
        return;
      }
      found = true;
      resolve({ stream, filename: info.filename || 'upload.csv', mimeType: info.mimeType ?? '' });
    });
    bb.on('close', () => {
      if (!found) reject(PlatformErrors.error('validation_failed', 'file: no part named "file"', [{ field: 'file', reason: 'is required' }]));
    });
    bb.on('error', (err: Error) => reject(PlatformErrors.error('invalid_multipart', `could not read the upload: ${err.message}`)));
    req.pipe(bb);
  });
}
