/**
 * Time as the domain sees it. Decay and half-life depend on "now", so nothing reads Date.now() directly:
 * production uses SystemClock, tests use a SettableClock they move by hand.
 */
export abstract class Clock {
  abstract now(): Date;
}

export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}

export class SettableClock extends Clock {
  private current: number;
  constructor(start: Date | string = new Date()) {
    super();
    this.current = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.current);
  }
  set(to: Date | string): void {
    this.current = new Date(to).getTime();
  }
  advance(ms: number): void {
    this.current += ms;
  }
}
