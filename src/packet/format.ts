// One capture line, tcpdump -e's line with the lab's names added: the time, where the packet was
// seen, then "SRC > DST, " and the decoded summary, each raw address followed by its lab name in
// parentheses when the lab has one:
//   12:00:01.000012 netns1:ceth1  1e:9d:82:e6:7d:4d (netns1:ceth1) > ff:ff:ff:ff:ff:ff (broadcast),
//   ARP, Request who-has 172.20.0.10 (br0 gateway) tell 172.20.0.11 (netns1)
// Pure.
import type { Summary, Token } from './decode.js';
import type { Namer } from './names.js';

/** Text of one token: an address with its name, or the text itself. */
export function tokenText(t: Token, names: Namer): string {
  if (typeof t === 'string') return t;
  if ('mac' in t) return named(t.mac, names.mac(t.mac));
  return named(t.port === undefined ? t.ip : `${t.ip}.${t.port}`, names.ip(t.ip));
}

const named = (raw: string, name: string | undefined): string => (name === undefined ? raw : `${raw} (${name})`);

/** `HH:MM:SS.uuuuuu`, local time (or UTC), like tcpdump's default timestamps. */
export function formatTime(tsUs: number, utc = false): string {
  const d = new Date(Math.floor(tsUs / 1000));
  const [h, m, s] = utc ? [d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()] : [d.getHours(), d.getMinutes(), d.getSeconds()];
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(h)}:${two(m)}:${two(s)}.${String(tsUs % 1_000_000).padStart(6, '0')}`;
}

/** What a line is made of. */
export interface LineInput {
  readonly tsUs: number;
  /** Where the packet was seen (`node:iface` or a network), padded to `width`. */
  readonly label: string;
  readonly width?: number;
  readonly summary: Summary;
  readonly names: Namer;
  readonly utc?: boolean;
}

/** The whole line, without a newline. */
export function formatLine(l: LineInput): string {
  return `${formatTime(l.tsUs, l.utc)} ${l.label.padEnd(l.width ?? 0)}  ${formatPacket(l.summary, l.names)}`;
}

/** A line without its time and place: "SRC > DST, " and the decoded summary, with the lab's names. */
export function formatPacket(s: Summary, names: Namer): string {
  const link = s.src === undefined || s.dst === undefined ? '' : `${tokenText({ mac: s.src }, names)} > ${tokenText({ mac: s.dst }, names)}, `;
  return `${link}${s.tokens.map((t) => tokenText(t, names)).join('')}`;
}
