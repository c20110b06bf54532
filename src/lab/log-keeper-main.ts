// The log keeper: one detached process per lab (like conmon's or containerd-shim's logging) that
// reads its processes' output pipes (<node>.<proc>.pipe, FIFOs in the lab's log directory) and
// writes capped, rotated log files (state/log-rotate.ts). Run as `node log-keeper-main.js DIR LAB`.
// It holds every FIFO open read-write, so it never sees end-of-file: a process restarted by a
// later `up` writes into the same pipe. SIGHUP rereads keeper.json (new pipes, new caps); SIGTERM
// (`down`, after the processes) reads what is left in the pipes and exits. It must not die: a
// process writing to a pipe nobody reads gets SIGPIPE, so every error is written down and survived.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { Socket } from 'node:net';
import { join } from 'node:path';
import type { LogCap } from '../model/log-cap.js';
import { NODE_NAME, PROCESS_NAME } from '../names/rules.js';
import { readTextNoFollow } from '../state/log-read.js';
import { RotatingLog } from '../state/log-rotate.js';

const [dir, lab] = process.argv.slice(2);
if (dir === undefined) {
  process.stderr.write('usage: log-keeper-main.js LOGDIR LAB\n');
  process.exit(2);
}
process.title = `nslab-log-keeper ${lab ?? ''}`.trim();

interface Open {
  readonly fd: number;
  readonly sock: Socket;
  readonly log: RotatingLog;
}
const open = new Map<string, Open>();
const CHUNK = Buffer.alloc(64 * 1024);

function report(what: string, e: unknown): void {
  process.stderr.write(`${new Date().toISOString()} ${what}: ${(e as Error)?.message ?? String(e)}\n`);
}

/** A key of keeper.json: `<node>.<process>`. */
const KEY = new RegExp(`^${NODE_NAME}\\.${PROCESS_NAME}$`);

/** keeper.json: `node.proc` → its cap (written by lab/log-keeper.ts, atomically). */
function readConfig(): Map<string, LogCap> {
  try {
    const raw = JSON.parse(readTextNoFollow(join(dir!, 'keeper.json'))) as Record<string, LogCap>;
    return new Map(Object.entries(raw).filter(([k]) => KEY.test(k)));
  } catch (e) {
    report('reading keeper.json', e);
    return new Map();
  }
}

function attach(key: string, cap: LogCap): void {
  const fifo = join(dir!, `${key}.pipe`);
  let fd: number | undefined;
  try {
    // Read-write: opening never blocks, and the pipe keeps a reader (us) while writers come and go.
    fd = openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK | constants.O_NOFOLLOW);
    if (!fstatSync(fd).isFIFO()) throw new Error(`${fifo} is not a FIFO`);
    const log = new RotatingLog(join(dir!, `${key}.log`), cap);
    // One buffer for every pipe, reused for each read (the callback writes it out before the next
    // read): no allocation per chunk, so memory stays flat under a process writing flat out.
    const sock = new Socket({
      fd,
      readable: true,
      writable: false,
      onread: {
        buffer: CHUNK,
        callback: (n: number, b: Uint8Array) => {
          write(key, log, Buffer.from(b.buffer, b.byteOffset, n));
          return true;
        },
      },
    } as ConstructorParameters<typeof Socket>[0]);
    sock.on('error', (e) => report(key, e));
    open.set(key, { fd, sock, log });
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    report(`opening ${key}`, e);
  }
}

function write(key: string, log: RotatingLog, b: Buffer): void {
  try {
    log.write(b);
  } catch (e) {
    // Dropped, not fatal: the process must keep its reader (a full /run, a removed directory).
    report(`writing ${key}`, e);
  }
}

function reload(): void {
  for (const [key, cap] of readConfig()) {
    const cur = open.get(key);
    if (cur) cur.log.setCap(cap);
    else attach(key, cap);
  }
}

/** Read what the pipes still hold (the processes are stopped by now), then exit. */
function finish(): void {
  const buf = CHUNK;
  for (const [key, o] of open) {
    o.sock.pause();
    for (let i = 0; i < 64; i++) {
      let n = 0;
      try {
        n = readSync(o.fd, buf, 0, buf.length, null);
      } catch {
        break; // EAGAIN: empty
      }
      if (n <= 0) break;
      write(key, o.log, buf.subarray(0, n));
    }
    o.log.close();
  }
  process.exit(0);
}

// Handlers first: `up` sends SIGHUP once the first pipe is open, which is after this.
process.on('SIGHUP', reload);
process.on('SIGTERM', finish);
process.on('SIGINT', finish);
process.on('uncaughtException', (e) => report('unexpected', e));
reload();
// Alive even with no pipe open yet (a keeper.json that could not be read is read again on SIGHUP).
setInterval(() => {}, 1 << 30);
