/**
 * In-process cost of validating POST /ingest bodies: the compiled JSON Schema (Ajv, what the intake runs) against
 * class-transformer + class-validator (what it ran before), for one event and for a 500-event batch. µs per event.
 *
 *   npm run build && node dist/bench/ingest-validator.js      (BENCH_ROUNDS=2000 by default)
 */
import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { IngestEventDto } from '../src/modules/ingestion/http/ingest.dto';
import { IngestEventValidator } from '../src/modules/ingestion/ingest-event.validator';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2000);
const OPTIONS = { whitelist: true, forbidNonWhitelisted: true, validationError: { target: false, value: false } };

const event = (i: number) => ({
  event_type: 'Page View',
  aliases: [{ alias_kind: 'email', raw_value: `jane${i}@example.com` }],
  timestamp: '2025-08-15T12:00:00Z',
  metadata: { path: '/pricing', referrer: 'https://example.com/', n: i },
  event_id: `evt-${i}`,
});

const compiled = new IngestEventValidator();
const validators: Record<string, (e: unknown) => boolean> = {
  'class-validator': (e) => validateSync(plainToInstance(IngestEventDto, e) as object, OPTIONS).length === 0,
  'ajv (compiled)': (e) => compiled.accepts(e),
};

/** µs per event: median of `ROUNDS / size` rounds over `size` events. */
function time(check: (e: unknown) => boolean, size: number): number {
  const events = Array.from({ length: size }, (_, i) => JSON.parse(JSON.stringify(event(i))));
  const rounds = Math.max(20, Math.floor(ROUNDS / Math.sqrt(size)));
  for (let r = 0; r < Math.min(rounds, 50); r++) for (const e of events) if (!check(e)) throw new Error('rejected');
  const t: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint();
    for (const e of events) if (!check(e)) throw new Error('rejected');
    t.push(Number(process.hrtime.bigint() - start) / 1e3 / size);
  }
  return t.sort((a, b) => a - b)[Math.floor(t.length / 2)];
}

for (const size of [1, 500]) {
  for (const [name, check] of Object.entries(validators)) {
    console.log(`${name.padEnd(16)} ${String(size).padStart(3)} event(s): ${time(check, size).toFixed(2)} µs/event`);
  }
}
