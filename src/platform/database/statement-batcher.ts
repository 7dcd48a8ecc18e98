/**
 * Group commit for small statements: calls made while a batch is open (the rest of the current event-loop turn, or
 * until `max` are waiting) are answered by ONE call of `run` with all their inputs, in call order. On a machine where
 * each round trip costs a socket write and a wake-up of the server process, N concurrent jobs then pay about one
 * round trip instead of N. `run` answers one output per input, in input order; if it throws, every call of the batch
 * is rejected with that error. With `maxInFlight`, calls made while that many runs are under way wait for one to end.
 */
export class StatementBatcher<I, O> {
  private waiting: { input: I; resolve: (o: O) => void; reject: (e: unknown) => void }[] = [];
  private scheduled = false;
  private inFlight = 0;

  /**
   * @param max inputs per run at most
   * @param maxInFlight runs at once at most: calls made while that many are running wait for one to end and go
   *   together in the next (under load, batches grow with the statement's own latency; idle, nothing waits)
   */
  constructor(
    private readonly run: (inputs: I[]) => Promise<O[]>,
    private readonly max = 64,
    private readonly maxInFlight = Infinity,
  ) {}

  call(input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.waiting.push({ input, resolve, reject });
      this.kick();
    });
  }

  private kick(): void {
    if (!this.waiting.length || this.inFlight >= this.maxInFlight) return;
    if (this.waiting.length >= this.max) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        if (this.inFlight < this.maxInFlight) this.flush();
      });
    }
  }

  private flush(): void {
    const batch = this.waiting.splice(0, this.max);
    if (!batch.length) return;
    this.inFlight++;
    this.run(batch.map((w) => w.input))
      .then(
        (outputs) => batch.forEach((w, i) => w.resolve(outputs[i])),
        (err: unknown) => batch.forEach((w) => w.reject(err)),
      )
      .finally(() => {
        this.inFlight--;
        this.kick();
      });
  }
}
