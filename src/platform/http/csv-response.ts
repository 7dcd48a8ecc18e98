import { stringify } from 'csv-stringify';
import type { FastifyReply } from 'fastify';
import { once } from 'node:events';

/**
 * Streams `chunks` (rows of cells) as a CSV attachment. The first chunk is read before the headers go out, so a
 * failing query still answers with a JSON error; writes wait for the socket to drain, and a client that goes away
 * ends the export (the generator is returned, releasing whatever it holds) instead of waiting on 'drain'.
 */
export async function sendCsv(reply: FastifyReply, filename: string, columns: string[], chunks: AsyncGenerator<unknown[][], void, undefined>): Promise<void> {
  try {
    const first = await chunks.next();
    reply.status(200);
    reply.header('Content-Type', 'text/csv; charset=utf-8');
    reply.header('Content-Disposition', `attachment; filename="${filename}"`);
    const csv = stringify({ header: true, columns });
    const res = reply.raw;
    // Fastify sends the headers and pipes the stream into the response
    void reply.send(csv);
    let gone = false;
    const closed = once(res, 'close').then(() => (gone = true));
    const write = async (chunk: unknown[][]) => {
      for (const row of chunk) {
        if (!csv.write(row)) await Promise.race([once(csv, 'drain'), closed]);
        if (gone) return;
      }
    };
    if (!first.done) await write(first.value);
    while (!first.done && !gone) {
      const next = await chunks.next();
      if (next.done) break;
      await write(next.value);
    }
    csv.end();
  } finally {
    await chunks.return(undefined);
  }
}
