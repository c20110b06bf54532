// One probe attempt on one non-blocking socket: create it (the caller has switched the thread
// into the source namespace; the socket keeps that namespace for life), send the request, and
// turn poll events, errors and deadlines into a verdict. Owns no loop and never waits: the
// scheduler in probe.ts polls the fds. Every function here is synchronous.
import { randomBytes } from 'node:crypto';
import * as libc from './libc.js';
import { SysError } from './libc.js';
import {
  AF_INET,
  AF_INET6,
  echoRequest,
  isEchoReply,
  isRawEchoReply,
  PORT_UNREACHABLE_REACHED,
  rawEchoRequest,
  reasonFor,
  silenceReason,
  sockaddr,
  type ProbeKind,
} from './probe-wire.js';
import type { Family } from '../util/ip.js';

const SOCK_STREAM = 1;
const SOCK_DGRAM = 2;
const IPPROTO_ICMP = 1;
const IPPROTO_ICMPV6 = 58;
const SOL_IP = 0;
const IP_RECVERR = 11;
const SOL_IPV6 = 41;
const IPV6_RECVERR = 25;
const SOL_RAW = 255;
const ICMP_FILTER = 1;
const SOL_ICMPV6 = 58;
const ICMP6_FILTER = 1;

/** What one attempt is: its socket and what it waits for. */
export interface Attempt {
  readonly fd: number;
  readonly kind: ProbeKind;
  readonly family: Family;
  readonly dst: string;
  readonly port: number;
  /** ICMP sequence number (distinct per attempt, so a late reply to an earlier one is ignored). */
  readonly seq: number;
  /** ICMP over a raw socket (the caller may: CAP_NET_RAW) rather than a ping socket. */
  readonly raw: boolean;
  /** ICMP identifier on a raw socket (a ping socket's is the kernel's). */
  readonly ident: number;
  /** ICMP/UDP payload, random per attempt, checked on ICMP replies. */
  readonly payload: Buffer;
  /** poll events wanted. */
  events: number;
  /** performance.now() when the request left (SYN or datagram); the RTT starts here. */
  sentAt: number;
  /** Whether the request left the socket (for the loss figures). */
  sent: boolean;
}

/** The end of an attempt. `answered`: the destination itself replied (reply, SYN-ACK, RST, port unreachable). */
export interface Verdict {
  readonly reached: boolean;
  readonly answered: boolean;
  readonly reason?: string;
  readonly rttMs?: number;
}

/**
 * Create the attempt's socket in the calling thread's current namespace (non-blocking,
 * close-on-exec). ICMP: a raw socket when `raw` (root: no sysctl needed), else a ping socket.
 */
export function createSocket(kind: ProbeKind, family: Family, raw = false): number {
  const domain = family === 4 ? AF_INET : AF_INET6;
  const flags = libc.SOCK_NONBLOCK | libc.SOCK_CLOEXEC;
  if (kind === 'tcp') return libc.socket(domain, SOCK_STREAM | flags, 0);
  if (kind === 'udp') return libc.socket(domain, SOCK_DGRAM | flags, 0);
  return libc.socket(domain, (raw ? libc.SOCK_RAW : SOCK_DGRAM) | flags, family === 4 ? IPPROTO_ICMP : IPPROTO_ICMPV6);
}

/**
 * Whether this process may open raw ICMP sockets (CAP_NET_RAW). Then ICMP probes need no ping
 * socket, and so no net.ipv4.ping_group_range in the sources: that sysctl, like every file under
 * /proc/sys/net, costs time linear in the number of namespaces to reach (probe-netns.ts).
 */
export function rawIcmpAllowed(): boolean {
  try {
    libc.close(libc.socket(AF_INET, libc.SOCK_RAW | libc.SOCK_CLOEXEC, IPPROTO_ICMP));
    return true;
  } catch (e) {
    if (e instanceof SysError) return false;
    throw e;
  }
}

/** Let only echo replies through to a raw ICMP socket (ICMP errors reach it by IP_RECVERR either way). */
function onlyEchoReplies(fd: number, family: Family): void {
  if (family === 4) {
    libc.setsockoptInt(fd, SOL_RAW, ICMP_FILTER, ~1);
    return;
  }
  // struct icmp6_filter: 256 bits, a set bit blocks that type; all but 129 (echo reply).
  const f = Buffer.alloc(32, 0xff);
  f.writeUInt32LE(~(1 << (129 & 31)) >>> 0, (129 >> 5) * 4);
  libc.setsockopt(fd, SOL_ICMPV6, ICMP6_FILTER, f);
}

/**
 * Start an attempt on a fresh socket: connect (TCP: begins the handshake; ICMP/UDP: fixes the
 * peer, so the kernel reports ICMP errors for it on this socket) and send the request.
 * Returns the attempt, with a verdict when it ended at once (no route, refused on loopback...).
 */
export function startAttempt(a: { fd: number; kind: ProbeKind; family: Family; dst: string; port: number; seq: number; raw: boolean; ident: number }): {
  attempt: Attempt;
  verdict?: Verdict;
} {
  const attempt: Attempt = { ...a, payload: payload(), events: libc.POLLIN, sentAt: performance.now(), sent: false };
  try {
    const verdict = sendRequest(attempt);
    return verdict ? { attempt, verdict } : { attempt };
  } catch (e) {
    return { attempt, verdict: fromError(attempt, e) };
  }
}

/** Random bytes drawn 64 KiB at a time: one randomBytes call per attempt cost more than the probe's system calls. */
let pool = Buffer.alloc(0);
let poolAt = 0;
function payload(): Buffer {
  if (poolAt + 16 > pool.length) {
    pool = randomBytes(65536);
    poolAt = 0;
  }
  poolAt += 16;
  return pool.subarray(poolAt - 16, poolAt);
}

function sendRequest(a: Attempt): Verdict | undefined {
  if (a.kind === 'tcp') return startTcp(a);
  // IP_RECVERR: report every ICMP error (not only "hard" ones) as a socket error (POLLERR).
  if (a.family === 4) libc.setsockoptInt(a.fd, SOL_IP, IP_RECVERR, 1);
  else libc.setsockoptInt(a.fd, SOL_IPV6, IPV6_RECVERR, 1);
  if (a.raw) onlyEchoReplies(a.fd, a.family);
  // A connected raw socket, like a ping socket, gets only what comes from its peer.
  libc.connect(a.fd, sockaddr(a.dst, a.kind === 'udp' ? a.port : 0));
  const msg = a.kind !== 'icmp' ? a.payload : a.raw ? rawEchoRequest(a.family, a.ident, a.seq, a.payload) : echoRequest(a.family, a.seq, a.payload);
  a.sentAt = performance.now();
  libc.send(a.fd, msg, libc.MSG_DONTWAIT);
  a.sent = true;
  return undefined;
}

function startTcp(attempt: Attempt): Verdict | undefined {
  // SO_LINGER {on, 0}: close() resets the connection instead of leaving TIME_WAIT behind, which
  // at thousands of probes would pile up in the source namespace.
  const linger = Buffer.alloc(8);
  linger.writeInt32LE(1, 0);
  libc.setsockopt(attempt.fd, libc.SOL_SOCKET, libc.SO_LINGER, linger);
  attempt.events = libc.POLLOUT;
  const connected = libc.connect(attempt.fd, sockaddr(attempt.dst, attempt.port));
  attempt.sent = true;
  return connected ? reached(attempt) : undefined;
}

/** Handle poll's revents for an attempt: a verdict, or undefined to keep waiting. */
export function onEvents(a: Attempt, revents: number): Verdict | undefined {
  try {
    if (a.kind === 'tcp') return tcpEvents(a, revents);
    if (revents & (libc.POLLERR | libc.POLLHUP)) {
      const v = pendingError(a);
      if (v) return v;
    }
    if (revents & libc.POLLIN) return readReplies(a);
    return undefined;
  } catch (e) {
    return fromError(a, e);
  }
}

function tcpEvents(a: Attempt, revents: number): Verdict | undefined {
  if (!(revents & (libc.POLLOUT | libc.POLLERR | libc.POLLHUP))) return undefined;
  const err = libc.getsockoptInt(a.fd, libc.SOL_SOCKET, libc.SO_ERROR);
  if (err === 0) return reached(a);
  return fromError(a, new SysError('connect', err, libc.errnoCode(err)));
}

/** Read and clear the socket's pending error; drain the error queue when there was none. */
function pendingError(a: Attempt): Verdict | undefined {
  const err = libc.getsockoptInt(a.fd, libc.SOL_SOCKET, libc.SO_ERROR);
  if (err !== 0) return fromError(a, new SysError('recv', err, libc.errnoCode(err)));
  // POLLERR with no pending error: queued ICMP errors whose errno was already taken. Drain them
  // so poll does not keep waking us (bounded: the queue is bounded by the receive buffer).
  const buf = Buffer.alloc(256);
  for (let i = 0; i < 64; i++) {
    try {
      libc.recv(a.fd, buf, libc.MSG_ERRQUEUE | libc.MSG_DONTWAIT);
    } catch {
      break;
    }
  }
  return undefined;
}

/** Read what is queued (bounded); ICMP waits for its own echo reply, UDP takes any datagram. */
function readReplies(a: Attempt): Verdict | undefined {
  const buf = Buffer.alloc(2048);
  for (let i = 0; i < 64; i++) {
    let n: number;
    try {
      n = libc.recv(a.fd, buf, libc.MSG_DONTWAIT);
    } catch (e) {
      if (e instanceof SysError && e.code === 'EAGAIN') return undefined;
      throw e;
    }
    const msg = buf.subarray(0, n);
    if (a.kind === 'udp') return reached(a);
    if (a.raw ? isRawEchoReply(a.family, msg, a.ident, a.seq, a.payload) : isEchoReply(a.family, msg, a.seq, a.payload)) return reached(a);
  }
  return undefined;
}

/** The verdict when the deadline passed in silence. */
export function timedOut(a: Attempt): Verdict {
  return { reached: false, answered: false, reason: silenceReason(a.kind) };
}

function reached(a: Attempt): Verdict {
  return { reached: true, answered: true, rttMs: performance.now() - a.sentAt };
}

/** A system call error as a verdict; anything else is a bug and is rethrown. */
function fromError(a: Attempt, e: unknown): Verdict {
  if (!(e instanceof SysError)) throw e;
  if (e.code === 'ECONNREFUSED') {
    a.sent = true;
    // The destination answered with a RST (TCP) or ICMP port unreachable (UDP).
    if (a.kind === 'udp') return { reached: true, answered: true, reason: PORT_UNREACHABLE_REACHED, rttMs: performance.now() - a.sentAt };
    return { reached: false, answered: true, reason: reasonFor(a.kind, e.code) };
  }
  return { reached: false, answered: false, reason: reasonFor(a.kind, e.code) };
}

/** Close an attempt's socket, ignoring errors (it is done either way). */
export function closeQuietly(fd: number): void {
  try {
    libc.close(fd);
  } catch {
    // EBADF would be a bug in the bookkeeping, but a probe result must not depend on it
  }
}
