// The library's packet capture: the `capture` verb (lab/capture.ts) behind an async iterator.
// `lab.capture()` resolves once tcpdump runs at every point, so traffic sent after it is seen;
// the packets queue until the caller takes them, and leaving the loop early stops tcpdump.
import { capture } from '../lab/capture.js';
import type { StateRoot } from '../lab/config.js';
import { NslabError } from '../util/errors.js';
import type { CaptureOptions, CapturedPacket, PacketCapture } from './types.js';

/** Start capturing at `targets` of a lab; rejects as `nslab capture` fails (an unknown target, a bad filter). */
export async function startCapture(root: StateRoot, lab: string, targets: readonly string[], o: CaptureOptions): Promise<PacketCapture> {
  const stopper = new AbortController();
  const abort = (): void => stopper.abort();
  if (o.signal?.aborted) stopper.abort();
  o.signal?.addEventListener('abort', abort, { once: true });
  const queue: CapturedPacket[] = [];
  let wake: (() => void) | undefined;
  let ended = false;
  let failure: unknown;
  let ready: (points: readonly string[] | undefined) => void = () => {};
  const started = new Promise<readonly string[] | undefined>((r) => {
    ready = r;
  });
  const run = capture({
    state: root,
    lab,
    targets,
    ...(o.filter === undefined ? {} : { filter: o.filter }),
    ...(o.count === undefined ? {} : { count: o.count }),
    ...(o.durationMs === undefined ? {} : { durationMs: o.durationMs }),
    signal: stopper.signal,
    note: () => {},
    onReady: (points) => ready(points),
    onPacket: (p) => {
      queue.push({ point: p.point, timeUs: p.rec.tsUs, text: p.text, data: new Uint8Array(p.rec.data), length: p.rec.origLen });
      wake?.();
    },
  })
    .then(
      () => undefined,
      (e: unknown) => {
        failure = e;
      },
    )
    .finally(() => {
      ended = true;
      o.signal?.removeEventListener('abort', abort);
      ready(undefined);
      wake?.();
    });
  const points = await started;
  if (points === undefined) {
    await run;
    throw failure ?? new NslabError('interrupted', `capture in lab ${lab} stopped before it started`, 130);
  }
  const stop = async (): Promise<void> => {
    stopper.abort();
    await run;
  };
  return {
    points,
    stop,
    [Symbol.asyncDispose]: stop,
    async *[Symbol.asyncIterator](): AsyncGenerator<CapturedPacket, void, undefined> {
      try {
        for (;;) {
          const next = queue.shift();
          if (next !== undefined) {
            yield next;
            continue;
          }
          if (ended) break;
          await new Promise<void>((r) => {
            wake = r;
          });
          wake = undefined;
        }
        if (failure !== undefined) throw failure;
      } finally {
        // The caller left the loop before the capture ended: nothing is listening any more.
        if (!ended) await stop();
      }
    },
  };
}
