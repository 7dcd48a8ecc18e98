import { randomFillSync } from 'node:crypto';

let lastMs = 0;
let counter = 0;

/** Random bytes drawn from a pool refilled 4 KB at a time: one call into the CSPRNG per 256 ids, not one per id. */
const POOL_SIZE = 4096;
const pool = Buffer.alloc(POOL_SIZE);
let poolOffset = POOL_SIZE;

function randomSlice(n: number): Buffer {
  if (poolOffset + n > POOL_SIZE) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const out = Buffer.from(pool.subarray(poolOffset, poolOffset + n));
  poolOffset += n;
  return out;
}

/**
 * RFC 9562 UUIDv7: 48-bit Unix milliseconds, then random bits (with a 12-bit counter so ids made in the same
 * millisecond still sort in creation order). Time-ordered ids keep the event_id index append-mostly instead
 * of scattering every insert across it as random (v4) ids do.
 */
export function uuidv7(now = Date.now()): string {
  const b = randomSlice(16);
  if (now === lastMs) counter = (counter + 1) & 0xfff;
  else {
    lastMs = now;
    counter = b.readUInt16BE(14) & 0x7ff;
  }
  b.writeUIntBE(now, 0, 6);
  b[6] = 0x70 | (counter >> 8);
  b[7] = counter & 0xff;
  b[8] = 0x80 | (b[8] & 0x3f);
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * The smallest UUID v7 of millisecond `ms`: every UUID v7 generated before `ms` sorts below it, so a key range
 * `id < uuidv7Floor(t)` reads only rows keyed before `t` (a retention job walks a primary key this way).
 */
export function uuidv7Floor(ms: number): string {
  const h = Math.max(0, Math.floor(ms)).toString(16).padStart(12, '0');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-7000-8000-000000000000`;
}
