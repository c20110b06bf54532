// Live counters for the page: one server-sent-events stream per open page, fed by one shared
// sampler that runs only while a page is listening. Each event is a LiveTick (lab/live.ts): the
// labs in view with their revisions, and per edge its state, counters and rates. Samples are a
// second apart, or more when sampling takes long (a big lab), so the server never falls behind.
import type { ServerResponse } from 'node:http';
import type { LiveView } from '../lab/live.js';
import { isNslabError } from '../util/errors.js';
import { SECURITY_HEADERS } from './http.js';

/** Fans one sampler out to every listening page. */
export class EventHub {
  private readonly clients = new Set<ServerResponse>();
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private closed = false;

  constructor(
    private readonly view: LiveView,
    private readonly intervalMs = 1000,
  ) {}

  /** Start streaming to a page (the first event follows at once). */
  add(res: ServerResponse): void {
    res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': 'text/event-stream; charset=utf-8', Connection: 'keep-alive' });
    res.write('retry: 2000\n\n');
    this.clients.add(res);
    res.on('close', () => this.clients.delete(res));
    if (!this.running) this.schedule(0);
  }

  /** End every stream and stop sampling. */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    for (const c of this.clients) c.end();
    this.clients.clear();
  }

  private schedule(ms: number): void {
    this.running = true;
    this.timer = setTimeout(() => void this.step(), ms);
  }

  private async step(): Promise<void> {
    if (this.closed || this.clients.size === 0) {
      this.running = false;
      return;
    }
    let took = 0;
    try {
      const tick = await this.view.tick();
      took = tick.ms;
      this.broadcast(`data: ${JSON.stringify(tick)}\n\n`);
    } catch (e) {
      if (!isNslabError(e))
        process.stderr.write(`nslab ui: sampling failed (this is a bug in nslab):\n${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      this.broadcast(`event: problem\ndata: ${JSON.stringify({ error: e instanceof Error ? e.message : String(e) })}\n\n`);
    }
    // A sample that takes a third of the interval or more stretches the interval.
    this.schedule(Math.max(this.intervalMs - took, 2 * took));
  }

  private broadcast(text: string): void {
    for (const c of this.clients) c.write(text);
  }
}
