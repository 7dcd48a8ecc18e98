/**
 * The fault suite's client side: a steady load of single-event and batched ingest requests spread over the api
 * processes, each event with a client `event_id`, resent (same ids) until it is answered 202 — what a well-behaved
 * client does with a 503 or a dropped connection — so that at the end every event the suite made is accepted and
 * must be stored and scored exactly once. It keeps what the api answered, when, and what each lead's score must be.
 */
export const WEIGHTS: Record<string, number> = { 'Page View': 3, 'Form Submit': 10, 'Email Open': 1 };
const TYPES = Object.keys(WEIGHTS);

export interface IngestEvent {
  event_id: string;
  event_type: string;
  aliases: { alias_kind: 'external_id'; raw_value: string }[];
}

interface Request {
  events: IngestEvent[];
  single: boolean;
  /** not sent again before (ms since epoch) */
  notBefore: number;
}

export interface Answer {
  status: number | 'network';
  started: number;
  ended: number;
}

export class IngestLoad {
  requestsSent = 0;
  readonly statuses = new Map<string, number>();
  readonly answers: Answer[] = [];
  /** client event id → the stored event's id (the api's answer) */
  readonly accepted = new Map<string, string>();
  readonly expected = new Map<string, number>();
  private made = 0;
  private retries: Request[] = [];
  private outstanding = 0;
  private running = false;
  private loop: Promise<void> = Promise.resolve();
  private next = 0;

  constructor(
    private readonly name: string,
    private readonly leads: number,
    private readonly bases: () => string[],
    private readonly auth: string,
  ) {}

  leadName(i: number): string {
    return `${this.name}-lead-${i}`;
  }

  /** How many events the load has made (each is sent until accepted). */
  get eventsMade(): number {
    return this.made;
  }

  /** `rate` requests per second, one in two a single event and the others batches of `batch` events. */
  start(rate: number, batch: number): void {
    this.running = true;
    this.loop = (async () => {
      const every = 1000 / rate;
      let at = Date.now();
      let n = 0;
      while (this.running) {
        at += every;
        const wait = at - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        if (this.outstanding >= 64) continue; // the server is not answering: do not pile up sockets
        const due = this.retries.length && this.retries[0].notBefore <= Date.now() ? this.retries.shift()! : this.make(n++ % 2 === 0 ? 1 : batch);
        void this.send(due);
      }
    })();
  }

  /** Stops making new events, then resends what is unanswered until everything is accepted (or `timeoutMs`). */
  async stop(timeoutMs: number): Promise<void> {
    this.running = false;
    await this.loop;
    const deadline = Date.now() + timeoutMs;
    while ((this.retries.length || this.outstanding) && Date.now() < deadline) {
      const due = this.retries.findIndex((r) => r.notBefore <= Date.now());
      if (due >= 0 && this.outstanding < 16) void this.send(this.retries.splice(due, 1)[0]);
      else await new Promise((r) => setTimeout(r, 20));
    }
    if (this.retries.length || this.outstanding)
      throw new Error(`${this.name}: ${this.retries.length + this.outstanding} requests still not accepted after ${timeoutMs} ms`);
  }

  private make(size: number): Request {
    const events = Array.from({ length: size }, () => {
      const n = this.made++;
      const lead = this.leadName((n * 7919) % this.leads);
      const type = TYPES[(n * 5 + Math.floor(n / this.leads)) % TYPES.length];
      this.expected.set(lead, (this.expected.get(lead) ?? 0) + WEIGHTS[type]);
      return { event_id: `${this.name}-${n}`, event_type: type, aliases: [{ alias_kind: 'external_id' as const, raw_value: lead }] };
    });
    return { events, single: size === 1, notBefore: 0 };
  }

  private async send(r: Request): Promise<void> {
    const bases = this.bases();
    const base = bases[this.next++ % bases.length];
    this.outstanding++;
    this.requestsSent++;
    const started = Date.now();
    let status: number | 'network';
    try {
      const res = await fetch(`${base}/ingest`, {
        method: 'POST',
        headers: { authorization: this.auth, 'content-type': 'application/json' },
        body: JSON.stringify(r.single ? r.events[0] : r.events),
        signal: AbortSignal.timeout(15_000),
      });
      status = res.status;
      const body = (await res.json().catch(() => ({}))) as { event_ids?: string[] };
      if (status === 202) {
        if (body.event_ids?.length !== r.events.length) throw new Error(`202 without an id per event: ${JSON.stringify(body).slice(0, 200)}`);
        r.events.forEach((e, i) => this.accepted.set(e.event_id, body.event_ids![i]));
      }
    } catch {
      status = 'network';
    } finally {
      this.outstanding--;
    }
    this.answers.push({ status, started, ended: Date.now() });
    this.statuses.set(String(status), (this.statuses.get(String(status)) ?? 0) + 1);
    if (status !== 202) this.retries.push({ ...r, notBefore: Date.now() + 250 });
  }
}
