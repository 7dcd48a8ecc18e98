/**
 * Group commit for small statements: calls made while a batch is open (the rest of the current event-loop turn, or
 * until `max` are waiting) are answered by ONE call of `run` with all their inputs, in call order. On a machine where
 * each round trip costs a socket write and a wake-up of the server process, N concurrent jobs then pay about one
 * round trip instead of N. `run` answers one output per input, in input order; if it throws, every call of the batch
 * is rejected with that error.
 */
export class StatementBatcher<I, O> {
  private waiting: { input: I; resolve: (o: O) => void; reject: (e: unknown) => void }[] = [];
  private scheduled = false;

  constructor(
    private readonly run: (inputs: I[]) => Promise<O[]>,
    private readonly max = 64,
  ) {}

  call(input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.waiting.push({ input, resolve, reject });
      if (this.waiting.length >= this.max) this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.waiting;
    this.waiting = [];
    if (!batch.length) return;
    this.run(batch.map((w) => w.input)).then(
      (outputs) => batch.forEach((w, i) => w.resolve(outputs[i])),
      (err: unknown) => batch.forEach((w) => w.reject(err)),
    );
  }
}
