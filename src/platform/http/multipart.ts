import busboy from 'busboy';
import type { Request } from 'express';
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
export function filePart(req: Request, maxBytes: number): Promise<FilePart> {
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
