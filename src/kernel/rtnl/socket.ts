// A NETLINK_ROUTE socket: open it in the calling thread's namespace (it stays there for life),
// send many requests per syscall and collect one result per request, or read a dump.
// Blocking and synchronous by design (each call is microseconds); SO_RCVTIMEO bounds every wait.
import * as libc from '../libc.js';
import { SysError, errnoCode } from '../libc.js';
import * as C from '../../netlink/wire-consts.js';
import { decodeDone, decodeError, setSeq, splitMessages, type NlMsg } from '../../netlink/wire.js';
import { KernelError } from '../../port/kernel.js';

/** What the kernel answered to one request of a batch. */
export interface BatchResult {
  /** 0 when the request succeeded, else the positive errno. */
  readonly errno: number;
  /** Extended-ack text (NETLINK_EXT_ACK), when the kernel gave one. */
  readonly message?: string;
  /** Data messages answering the request before its ack (e.g. the RTM_NEWLINK for a get). */
  readonly replies: readonly NlMsg[];
}

/** Limits of one send: the kernel processes a sendto's messages in order and queues every ack. */
const MAX_CHUNK_BYTES = 128 * 1024;
const MAX_CHUNK_MSGS = 256;
/** Receive-queue size: acks of a full chunk and large dumps fit (notes/kernel.md: ENOBUFS at ~64). */
const RCVBUF = 8 * 1024 * 1024;
/** How many times an interrupted dump is asked again before the caller decides. */
const DUMP_TRIES = 5;
const EINTR = 4;
const SNDBUF = 1024 * 1024;

/** One receive buffer for every socket: all I/O here is synchronous on one thread. */
const rx = Buffer.alloc(256 * 1024);
let nextSeq = (Date.now() & 0xffff) << 12;

/** A bound NETLINK_ROUTE socket with NETLINK_CAP_ACK and NETLINK_EXT_ACK. */
export class RtnlSocket {
  private constructor(private fd: number) {}

  /** Open a socket in the namespace the calling thread is in now. */
  static open(opts: { readonly timeoutMs?: number } = {}): RtnlSocket {
    const fd = libc.socket(C.AF_NETLINK, libc.SOCK_RAW | libc.SOCK_CLOEXEC, C.NETLINK_ROUTE);
    try {
      setBuffers(fd);
      libc.setsockoptInt(fd, libc.SOL_NETLINK, C.NETLINK_CAP_ACK, 1);
      libc.setsockoptInt(fd, libc.SOL_NETLINK, C.NETLINK_EXT_ACK, 1);
      const tv = Buffer.alloc(16); // struct timeval { time_t sec; suseconds_t usec; } on 64-bit
      const ms = opts.timeoutMs ?? 10_000;
      tv.writeBigInt64LE(BigInt(Math.floor(ms / 1000)), 0);
      tv.writeBigInt64LE(BigInt((ms % 1000) * 1000), 8);
      libc.setsockopt(fd, libc.SOL_SOCKET, libc.SO_RCVTIMEO, tv);
      const sa = Buffer.alloc(12); // struct sockaddr_nl: family, pad, pid 0 (kernel picks), groups 0
      sa.writeUInt16LE(C.AF_NETLINK, 0);
      libc.bind(fd, sa);
    } catch (e) {
      libc.close(fd);
      throw e;
    }
    return new RtnlSocket(fd);
  }

  /**
   * Send requests (each with NLM_F_ACK) in as few sends as the limits allow and return one
   * result per request, in order. The kernel keeps going after a failed request.
   */
  batch(msgs: readonly Buffer[]): BatchResult[] {
    const out: BatchResult[] = [];
    let start = 0;
    while (start < msgs.length) {
      let end = start;
      let bytes = 0;
      while (end < msgs.length && end - start < MAX_CHUNK_MSGS) {
        const len = msgs[end]?.length ?? 0;
        if (end > start && bytes + len > MAX_CHUNK_BYTES) break;
        bytes += len;
        end++;
      }
      out.push(...this.chunk(msgs.slice(start, end)));
      start = end;
    }
    return out;
  }

  /**
   * Send one dump request and return every message up to NLMSG_DONE. A dump the kernel marks
   * interrupted (NLM_F_DUMP_INTR: the table changed while it was read) is asked again, up to
   * DUMP_TRIES times; then the caller decides, never silently: `onInterrupted: 'fail'` (the
   * default, for what a plan is built on) throws, 'accept' returns the last, possibly inconsistent,
   * messages (for tables that churn by nature, such as neighbours during probing).
   */
  dump(msg: Buffer, onInterrupted: 'fail' | 'accept' = 'fail'): NlMsg[] {
    for (let attempt = 1; ; attempt++) {
      const seq = this.stamp(msg);
      libc.send(this.fd, msg);
      const { msgs, interrupted } = this.readDump(seq);
      if (!interrupted) return msgs;
      if (attempt < DUMP_TRIES) continue;
      if (onInterrupted === 'accept') return msgs;
      throw new KernelError(
        'dump',
        EINTR,
        'EINTR',
        `rtnetlink dump (type ${msg.readUInt16LE(4)})`,
        `the table changed while it was read, ${DUMP_TRIES} times in a row; something else is changing this namespace: try again when it settles`,
      );
    }
  }

  /** Close the socket (idempotent). */
  close(): void {
    if (this.fd < 0) return;
    libc.close(this.fd);
    this.fd = -1;
  }

  private chunk(msgs: readonly Buffer[]): BatchResult[] {
    const bySeq = new Map<number, number>();
    for (const [i, m] of msgs.entries()) bySeq.set(this.stamp(m), i);
    libc.send(this.fd, msgs.length === 1 && msgs[0] ? msgs[0] : Buffer.concat(msgs));
    const results: (BatchResult | undefined)[] = new Array(msgs.length);
    const replies: NlMsg[][] = msgs.map(() => []);
    let pending = msgs.length;
    while (pending > 0) {
      for (const m of this.receive()) {
        const i = bySeq.get(m.seq);
        if (i === undefined || results[i]) continue; // a stale answer from an earlier, failed call
        if (m.type !== C.NLMSG_ERROR) {
          replies[i]?.push(copy(m));
          continue;
        }
        const ack = decodeError(m);
        results[i] = { errno: ack.errno, replies: replies[i] ?? [], ...(ack.message ? { message: ack.message } : {}) };
        pending--;
      }
    }
    return results.map((r) => r ?? { errno: 0, replies: [] });
  }

  private readDump(seq: number): { msgs: NlMsg[]; interrupted: boolean } {
    const msgs: NlMsg[] = [];
    let interrupted = false;
    for (;;) {
      for (const m of this.receive()) {
        if (m.seq !== seq) continue;
        if (m.type === C.NLMSG_DONE) {
          const done = decodeDone(m);
          if (done.errno !== 0) throw new SysError('netlink dump', done.errno, errnoCode(done.errno));
          return { msgs, interrupted };
        }
        if (m.type === C.NLMSG_ERROR) {
          const e = decodeError(m);
          throw new SysError('netlink dump', e.errno, errnoCode(e.errno));
        }
        if ((m.flags & C.NLM_F_DUMP_INTR) !== 0) interrupted = true;
        msgs.push(copy(m));
      }
    }
  }

  /** One datagram, split into messages (views into the shared buffer: copy what you keep). */
  private receive(): NlMsg[] {
    if (this.fd < 0) throw new Error('RtnlSocket used after close()');
    const n = libc.recv(this.fd, rx, libc.MSG_TRUNC);
    if (n > rx.length) throw new SysError('recv', 90, 'EMSGSIZE');
    return splitMessages(rx.subarray(0, n));
  }

  private stamp(msg: Buffer): number {
    nextSeq = (nextSeq + 1) >>> 0 || 1;
    setSeq(msg, nextSeq);
    return nextSeq;
  }
}

/** Big buffers: SO_RCVBUFFORCE needs CAP_NET_ADMIN; fall back to the capped SO_RCVBUF. */
function setBuffers(fd: number): void {
  try {
    libc.setsockoptInt(fd, libc.SOL_SOCKET, libc.SO_RCVBUFFORCE, RCVBUF);
  } catch {
    libc.setsockoptInt(fd, libc.SOL_SOCKET, libc.SO_RCVBUF, RCVBUF);
  }
  libc.setsockoptInt(fd, libc.SOL_SOCKET, libc.SO_SNDBUF, SNDBUF);
}

function copy(m: NlMsg): NlMsg {
  return { ...m, body: Buffer.from(m.body) };
}
