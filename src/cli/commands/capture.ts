// `nslab capture LAB TARGET... [-w FILE] [-f FILTER] [-c COUNT] [--duration S]`: packets at any
// point of a lab, one line each with the lab's names, or a pcapng file; then how many were
// captured (on stderr, like tcpdump). Exit 1 when a capture point failed while capturing.
import { capture } from '../../lab/capture.js';
import { config } from '../config.js';
import { NslabError } from '../../util/errors.js';

/** The flags as commander hands them over. */
export interface CaptureFlags {
  write?: string;
  filter?: string;
  count?: string;
  duration?: string;
  print?: boolean;
  utc?: boolean;
}

/** Run `capture`. */
export async function run(lab: string, targets: string[], o: CaptureFlags): Promise<void> {
  const count = o.count === undefined ? undefined : wholeNumber('-c', o.count);
  const durationMs = o.duration === undefined ? undefined : seconds(o.duration);
  const r = await capture({
    state: config().state,
    ...config().kernel,
    lab,
    targets,
    ...(o.write === undefined ? {} : { write: o.write }),
    ...(o.filter === undefined ? {} : { filter: o.filter }),
    ...(count === undefined ? {} : { count }),
    ...(durationMs === undefined ? {} : { durationMs }),
    ...(o.print ? { print: true } : {}),
    ...(o.utc ? { utc: true } : {}),
  });
  for (const f of r.failed) process.stderr.write(`nslab: capture on ${f.label} failed: ${f.error}\n`);
  const dropped = r.dropped > 0 ? `, ${r.dropped} dropped by the kernel` : '';
  process.stderr.write(`${r.packets} ${r.packets === 1 ? 'packet' : 'packets'} captured${dropped}\n`);
  process.exitCode = r.failed.length > 0 ? 1 : 0;
}

function wholeNumber(flag: string, text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > 1e9) throw new NslabError('usage', `${flag} wants a whole number of packets from 1, not "${text}"`, 2);
  return n;
}

function seconds(text: string): number {
  const s = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !(s > 0) || s > 7 * 86_400)
    throw new NslabError('usage', `--duration wants seconds (a number above 0, at most a week), not "${text}"`, 2);
  return Math.round(s * 1000);
}
