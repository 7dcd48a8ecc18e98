import type { FastifyRequest } from 'fastify';
import { markJsonBodyText } from './edge-input';
import { keepRawBodyIfAsked } from './raw-body';

/** An error shaped like body-parser's, which the exception filter maps to the API's error shape. */
export interface BodyParserError extends Error {
  type: string;
  status: number;
  limit?: number;
}

function parserError(type: string, status: number, message: string): BodyParserError {
  return Object.assign(new Error(message), { type, status });
}

/** The first character after JSON whitespace (space, tab, line feed, carriage return). */
const FIRST_CHAR = /^[ \t\n\r]*(.)/s;

/**
 * `application/json` bodies read as Express's body-parser read them (strict: an object or an array; an empty body is
 * `{}`; a charset other than UTF-8 is 415), with `JSON.parse` rather than a poisoning check of its own: a key
 * `__proto__` stays an ordinary key, as before. Fastify enforces the byte limit before this runs.
 */
export function parseJsonBody(req: FastifyRequest, body: Buffer, done: (err: Error | null, value?: unknown) => void): void {
  const contentType = req.headers['content-type'];
  if (contentType && contentType.includes('charset=')) {
    const charset = /;\s*charset=("?)([^";\s]+)\1/i.exec(contentType)?.[2]?.toLowerCase();
    if (charset && charset !== 'utf-8' && charset !== 'utf8') {
      done(parserError('charset.unsupported', 415, `unsupported charset "${charset.toUpperCase()}"`));
      return;
    }
  }
  keepRawBodyIfAsked(req, body);
  if (body.length === 0) {
    done(null, {});
    return;
  }
  const text = body.toString('utf8');
  const first = FIRST_CHAR.exec(text)?.[1];
  if (first !== '{' && first !== '[') {
    done(
      parserError(
        'entity.parse.failed',
        400,
        first === undefined ? 'Unexpected end of JSON input' : `Unexpected token '${first}', strict JSON needs an object or an array`,
      ),
    );
    return;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    done(parserError('entity.parse.failed', 400, (err as Error).message));
    return;
  }
  markJsonBodyText(req, text);
  done(null, value);
}
