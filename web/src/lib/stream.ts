import { rawFetch } from '../api/client';

export interface StreamMessage {
  event: string;
  data: Record<string, unknown>;
}
type Listener = (m: StreamMessage) => void;

/**
 * GET /stream read with fetch (EventSource cannot send the Authorization header the API asks for): one connection
 * per tab for the active OU, shared by every page, reconnecting after the server's `retry` delay.
 */
class ScoreStream {
  private listeners = new Set<Listener>();
  private abort: AbortController | null = null;
  private retryMs = 3000;
  status: 'idle' | 'connecting' | 'live' | 'down' = 'idle';
  private statusListeners = new Set<(s: ScoreStream['status']) => void>();

  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  onStatus(l: (s: ScoreStream['status']) => void): () => void {
    this.statusListeners.add(l);
    l(this.status);
    return () => this.statusListeners.delete(l);
  }

  private setStatus(s: ScoreStream['status']): void {
    this.status = s;
    this.statusListeners.forEach((l) => l(s));
  }

  /** (Re)connects to the active OU's stream; call after sign-in and after an OU switch. */
  restart(): void {
    this.stop();
    const abort = new AbortController();
    this.abort = abort;
    void this.run(abort.signal);
  }

  stop(): void {
    this.abort?.abort();
    this.abort = null;
    this.setStatus('idle');
  }

  private async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      this.setStatus('connecting');
      try {
        const res = await rawFetch('/stream', { signal, headers: { Accept: 'text/event-stream' } });
        const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
        let buf = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += value;
          let end;
          while ((end = buf.indexOf('\n\n')) >= 0) {
            this.dispatch(buf.slice(0, end));
            buf = buf.slice(end + 2);
          }
        }
      } catch (err) {
        if (signal.aborted) return;
        if ((err as { status?: number }).status === 401) return this.setStatus('down');
      }
      if (signal.aborted) return;
      this.setStatus('down');
      await new Promise((r) => setTimeout(r, this.retryMs));
    }
  }

  private dispatch(block: string): void {
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) {
        if (line.startsWith(': connected')) this.setStatus('live');
        continue;
      }
      const i = line.indexOf(':');
      const field = i < 0 ? line : line.slice(0, i);
      const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
      else if (field === 'retry' && /^\d+$/.test(value)) this.retryMs = Number(value);
    }
    if (!data.length) return;
    try {
      const message = { event, data: JSON.parse(data.join('\n')) as Record<string, unknown> };
      this.listeners.forEach((l) => l(message));
    } catch {
      // not JSON: not one of ours
    }
  }
}

export const stream = new ScoreStream();
