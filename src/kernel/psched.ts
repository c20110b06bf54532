// The packet scheduler's clock, read once from /proc/net/psched (the same for every namespace):
// qdisc times (tbf's burst, netem's delay) travel in its ticks.
import * as fs from 'node:fs';
import { DEFAULT_PSCHED, parsePsched, type Psched } from '../netlink/wire-qdisc.js';

let cached: Psched | undefined;

/** Ticks per microsecond of this kernel; the 64 ns of every current kernel if psched is unreadable. */
export function psched(): Psched {
  if (cached) return cached;
  let text = '';
  try {
    text = fs.readFileSync('/proc/net/psched', 'utf8');
  } catch {
    // /proc not mounted: fall back to the constant every kernel since 2.6.31 reports
  }
  cached = parsePsched(text) ?? DEFAULT_PSCHED;
  return cached;
}
