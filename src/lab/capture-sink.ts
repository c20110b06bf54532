// Where captured packets go: lines for people (decoded, with the lab's names) and/or a pcapng
// file with one named interface per capture point ("-" writes it to stdout). Owns the file and
// notices when stdout is closed by its reader (`nslab capture ... | head`).
import { closeSync, openSync, writeSync } from 'node:fs';
import { decodeEthernet } from '../packet/decode.js';
import { formatLine, formatPacket } from '../packet/format.js';
import type { Namer } from '../packet/names.js';
import type { PcapRecord } from '../packet/pcap.js';
import { interfaceBlock, packetBlock, sectionHeader } from '../packet/pcapng.js';
import { NslabError } from '../util/errors.js';
import type { CapturePoint } from './capture-targets.js';

/** Receives packets in time order. */
export interface Sink {
  /** A packet seen at point `i`. */
  packet(i: number, rec: PcapRecord): void;
  /** Calls `fn` when the reader of stdout has gone away (EPIPE). */
  onClosed(fn: () => void): void;
  close(): void;
}

/** What to do with packets. */
export interface SinkOptions {
  readonly points: readonly CapturePoint[];
  readonly names: Namer;
  /** pcapng file to write; "-" is stdout. */
  readonly write?: string;
  /** Print lines even when writing a file. */
  readonly print?: boolean;
  /** Where lines go (default stdout). */
  readonly out?: (line: string) => void;
  readonly utc?: boolean;
  readonly snaplen: number;
  /** Each packet as data (the library's capture): then no lines are printed unless `print`. */
  readonly onPacket?: (p: DecodedPacket) => void;
}

/** A packet with where it was seen and its text with the lab's names. */
export interface DecodedPacket {
  readonly point: string;
  readonly rec: PcapRecord;
  readonly text: string;
}

/** Open the outputs; throws NslabError (exit 2) when the file cannot be created. */
export function openSink(o: SinkOptions): Sink {
  const closed: Array<() => void> = [];
  const onError = (e: NodeJS.ErrnoException): void => {
    if (e.code === 'EPIPE') closed.forEach((fn) => fn());
  };
  if ((o.out === undefined && (o.write === undefined || o.print)) || o.write === '-') process.stdout.on('error', onError);
  const raw = o.write === undefined ? undefined : pcapngWriter(o.write);
  raw?.(
    Buffer.concat([sectionHeader('nslab capture'), ...o.points.map((p) => interfaceBlock({ name: p.label, description: p.description, snaplen: o.snaplen }))]),
  );
  const lines = (o.write === undefined && o.onPacket === undefined) || o.print;
  const out = o.out ?? ((l: string) => void process.stdout.write(`${l}\n`));
  const width = Math.max(...o.points.map((p) => p.label.length));
  return {
    packet: (i, rec) => {
      raw?.(packetBlock({ iface: i, tsUs: rec.tsUs, data: rec.data, origLen: rec.origLen }));
      if (o.onPacket) o.onPacket({ point: o.points[i]?.label ?? '?', rec, text: formatPacket(decodeEthernet(rec.data), o.names) });
      if (lines)
        out(
          formatLine({
            tsUs: rec.tsUs,
            label: o.points[i]?.label ?? '?',
            width,
            summary: decodeEthernet(rec.data),
            names: o.names,
            ...(o.utc ? { utc: true } : {}),
          }),
        );
    },
    onClosed: (fn) => void closed.push(fn),
    close: () => {
      raw?.(undefined);
      process.stdout.off('error', onError);
    },
  };
}

/** A function writing bytes to the file (or stdout); called with undefined, it closes the file. */
function pcapngWriter(path: string): (bytes: Buffer | undefined) => void {
  if (path === '-') return (bytes) => void (bytes && process.stdout.write(bytes));
  let fd: number | undefined;
  try {
    fd = openSync(path, 'w', 0o644);
  } catch (e) {
    throw new NslabError('bad-file', `-w ${path}: cannot create it (${(e as NodeJS.ErrnoException).code ?? String(e)})`, 2);
  }
  return (bytes) => {
    if (fd === undefined) return;
    if (bytes) writeSync(fd, bytes);
    else {
      closeSync(fd);
      fd = undefined;
    }
  };
}
