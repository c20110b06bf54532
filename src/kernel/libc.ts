// The only importer of koffi: thin synchronous wrappers over the libc calls the kernel layer
// needs (sockets, namespaces, mounts) and errno. Every wrapper throws SysError on failure.
// Calls run on the calling (main) thread, which is what setns/unshare rely on: they act per thread.
import koffi from 'koffi';
import { getSystemErrorName } from 'node:util';

/** A failed system call: its name, errno and errno's symbolic code. */
export class SysError extends Error {
  override readonly name = 'SysError';
  constructor(
    readonly syscall: string,
    readonly errno: number,
    readonly code: string,
  ) {
    super(`${syscall}: ${code} (${strerror(errno)})`);
  }
}

/** errno numbers nslab meets, by name (Linux, all architectures that Node supports). */
const ERRNO_NAMES: Readonly<Record<number, string>> = {
  1: 'EPERM',
  2: 'ENOENT',
  3: 'ESRCH',
  4: 'EINTR',
  9: 'EBADF',
  11: 'EAGAIN',
  12: 'ENOMEM',
  13: 'EACCES',
  16: 'EBUSY',
  17: 'EEXIST',
  19: 'ENODEV',
  20: 'ENOTDIR',
  22: 'EINVAL',
  24: 'EMFILE',
  34: 'ERANGE',
  71: 'EPROTO',
  90: 'EMSGSIZE',
  93: 'EPROTONOSUPPORT',
  95: 'EOPNOTSUPP',
  97: 'EAFNOSUPPORT',
  98: 'EADDRINUSE',
  99: 'EADDRNOTAVAIL',
  101: 'ENETUNREACH',
  105: 'ENOBUFS',
  107: 'ENOTCONN',
  110: 'ETIMEDOUT',
  111: 'ECONNREFUSED',
  113: 'EHOSTUNREACH',
  115: 'EINPROGRESS',
};

/** Symbolic name of an errno number ("EEXIST"), "E<n>" when unknown. */
export function errnoCode(n: number): string {
  const known = ERRNO_NAMES[n];
  if (known) return known;
  try {
    return getSystemErrorName(-n);
  } catch {
    return `E${n}`;
  }
}

interface Libc {
  socket(domain: number, type: number, protocol: number): number;
  bind(fd: number, addr: Buffer, len: number): number;
  listen(fd: number, backlog: number): number;
  setsockopt(fd: number, level: number, name: number, val: Buffer, len: number): number;
  send(fd: number, buf: Buffer, len: number, flags: number): number;
  recv(fd: number, buf: Buffer, len: number, flags: number): number;
  close(fd: number): number;
  connect(fd: number, addr: Buffer, len: number): number;
  getsockopt(fd: number, level: number, name: number, val: Buffer, len: Buffer): number;
  poll(fds: Buffer, nfds: number, timeout: number): number;
  unshare(flags: number): number;
  setns(fd: number, nstype: number): number;
  mount(src: string | null, target: string, fstype: string | null, flags: number, data: string | null): number;
  umount2(target: string, flags: number): number;
  flock(fd: number, op: number): number;
  open(path: string, flags: number): number;
  mkfifo(path: string, mode: number): number;
  fcntl(fd: number, cmd: number, ...rest: unknown[]): number;
  ioctl(fd: number, req: number, arg: Buffer): number;
  strerror(n: number): string;
}

let cached: Libc | undefined;

/** Bind the libc functions once, on first use (importing this module costs nothing). */
function libc(): Libc {
  if (cached) return cached;
  const lib = koffi.load('libc.so.6');
  cached = {
    socket: lib.func('int socket(int, int, int)'),
    bind: lib.func('int bind(int, const void *, uint32_t)'),
    listen: lib.func('int listen(int, int)'),
    setsockopt: lib.func('int setsockopt(int, int, int, const void *, uint32_t)'),
    send: lib.func('long send(int, const void *, size_t, int)'),
    recv: lib.func('long recv(int, _Out_ void *, size_t, int)'),
    close: lib.func('int close(int)'),
    connect: lib.func('int connect(int, const void *, uint32_t)'),
    getsockopt: lib.func('int getsockopt(int, int, int, _Inout_ void *, _Inout_ void *)'),
    poll: lib.func('int poll(_Inout_ void *, unsigned long, int)'),
    unshare: lib.func('int unshare(int)'),
    setns: lib.func('int setns(int, int)'),
    mount: lib.func('int mount(const char *, const char *, const char *, unsigned long, const char *)'),
    umount2: lib.func('int umount2(const char *, int)'),
    flock: lib.func('int flock(int, int)'),
    open: lib.func('int open(const char *, int)'),
    mkfifo: lib.func('int mkfifo(const char *, uint32_t)'),
    fcntl: lib.func('int fcntl(int, int, ...)'),
    ioctl: lib.func('int ioctl(int, unsigned long, _Inout_ void *)'),
    strerror: lib.func('const char *strerror(int)'),
  };
  return cached;
}

/** Throw SysError for a -1 result, reading errno right after the call. */
function check(syscall: string, r: number): number {
  if (r >= 0) return r;
  const e = koffi.errno();
  throw new SysError(syscall, e, errnoCode(e));
}

/** The C library's text for an errno ("File exists"). */
export function strerror(n: number): string {
  return libc().strerror(n);
}

/** socket(2) */
export function socket(domain: number, type: number, protocol: number): number {
  return check('socket', libc().socket(domain, type, protocol));
}

/** listen(2) */
export function listen(fd: number, backlog: number): void {
  check('listen', libc().listen(fd, backlog));
}

/** bind(2) with a raw sockaddr. */
export function bind(fd: number, addr: Buffer): void {
  check('bind', libc().bind(fd, addr, addr.length));
}

/** setsockopt(2) with a raw option value. */
export function setsockopt(fd: number, level: number, name: number, val: Buffer): void {
  check('setsockopt', libc().setsockopt(fd, level, name, val, val.length));
}

/** setsockopt(2) with an int value. */
export function setsockoptInt(fd: number, level: number, name: number, v: number): void {
  const b = Buffer.alloc(4);
  b.writeInt32LE(v);
  setsockopt(fd, level, name, b);
}

/** send(2) of the whole buffer; returns the bytes sent. */
export function send(fd: number, buf: Buffer, flags = 0): number {
  return check('send', Number(libc().send(fd, buf, buf.length, flags)));
}

/** recv(2) into buf; returns the byte count (with MSG_TRUNC: the real datagram size). */
export function recv(fd: number, buf: Buffer, flags = 0): number {
  return check('recv', Number(libc().recv(fd, buf, buf.length, flags)));
}

/** close(2) */
export function close(fd: number): void {
  check('close', libc().close(fd));
}

/**
 * connect(2) with a raw sockaddr. On a non-blocking socket the usual EINPROGRESS is not an
 * error here: it returns false ("in progress"), true when connected at once, and throws otherwise.
 */
export function connect(fd: number, addr: Buffer): boolean {
  if (libc().connect(fd, addr, addr.length) === 0) return true;
  const e = koffi.errno();
  if (e === EINPROGRESS) return false;
  throw new SysError('connect', e, errnoCode(e));
}

/** getsockopt(2) of an int option (SO_ERROR, SO_TYPE, ...). */
export function getsockoptInt(fd: number, level: number, name: number): number {
  const val = Buffer.alloc(4);
  const len = Buffer.alloc(4);
  len.writeUInt32LE(4);
  check('getsockopt', libc().getsockopt(fd, level, name, val, len));
  return val.readInt32LE();
}

/**
 * poll(2) over a buffer of struct pollfd (8 bytes each: int fd, short events, short revents),
 * which the kernel fills in place; returns how many entries have revents. Blocks the main thread
 * for up to timeoutMs, so callers keep it short. EINTR counts as "nothing ready".
 */
export function poll(fds: Buffer, timeoutMs: number): number {
  const r = libc().poll(fds, fds.length / POLLFD_SIZE, timeoutMs);
  if (r < 0 && koffi.errno() === 4) return 0;
  return check('poll', r);
}

/** unshare(2): with CLONE_NEWNET, moves the calling thread into a new network namespace. */
export function unshare(flags: number): void {
  check('unshare', libc().unshare(flags));
}

/** setns(2): moves the calling thread into the namespace that fd refers to. */
export function setns(fd: number, nstype: number): void {
  check('setns', libc().setns(fd, nstype));
}

/** mount(2); `data` is the filesystem's option string (tmpfs: mode=,size=). */
export function mount(src: string | null, target: string, fstype: string | null, flags: number, data: string | null = null): void {
  check('mount', libc().mount(src, target, fstype, flags, data));
}

/** umount2(2) */
export function umount2(target: string, flags: number): void {
  check('umount2', libc().umount2(target, flags));
}

/**
 * open(2) read-only, close-on-exec. For fds Node must not track: a worker thread's fs fds are
 * closed when the worker ends, even if another thread still uses them (netns-pool-worker.ts).
 */
export function openRaw(path: string): number {
  return check('open', libc().open(path, O_RDONLY | O_CLOEXEC));
}

/** mkfifo(3): fails with EEXIST when anything (a symlink too) has the name. */
export function mkfifo(path: string, mode: number): void {
  check('mkfifo', libc().mkfifo(path, mode));
}

/** Clear O_NONBLOCK on an fd (fcntl F_GETFL/F_SETFL): a child that inherits it then blocks on a full pipe. */
export function setBlocking(fd: number): void {
  const flags = check('fcntl', libc().fcntl(fd, F_GETFL));
  check('fcntl', libc().fcntl(fd, F_SETFL, 'int', flags & ~O_NONBLOCK));
}

/** Bytes waiting to be read in a pipe, asked of either end (ioctl FIONREAD). */
export function pipeUnread(fd: number): number {
  const n = Buffer.alloc(4);
  check('ioctl', libc().ioctl(fd, FIONREAD, n));
  return n.readInt32LE();
}

const F_GETFL = 3;
const F_SETFL = 4;
const O_NONBLOCK = 0o4000;
const FIONREAD = 0x541b;
const O_RDONLY = 0;
const O_CLOEXEC = 0o2000000;

/** flock(2) */
export function flock(fd: number, op: number): void {
  check('flock', libc().flock(fd, op));
}

/** flock operations (sys/file.h). */
export const LOCK_EX = 2;
export const LOCK_NB = 4;

/** unshare/setns flag: the network namespace (linux/sched.h). */
export const CLONE_NEWNET = 0x40000000;
/** mount flag: bind mount (linux/mount.h). */
export const MS_BIND = 4096;
/** mount flag: recursively (linux/mount.h). */
export const MS_REC = 16384;
/** mount flag: make a shared mount (linux/mount.h). */
export const MS_SHARED = 1 << 20;
/** umount2 flag: lazy detach (sys/mount.h). */
export const MNT_DETACH = 2;
/** socket type for netlink (linux/net.h). */
export const SOCK_RAW = 3;
/** socket flag: close on exec, so spawned commands do not inherit it. */
export const SOCK_CLOEXEC = 0o2000000;
/** setsockopt level of generic socket options (asm-generic/socket.h). */
export const SOL_SOCKET = 1;
/** setsockopt level of netlink options (bits/socket.h). */
export const SOL_NETLINK = 270;
/** send buffer size. */
export const SO_SNDBUF = 7;
/** receive buffer size, capped by net.core.rmem_max. */
export const SO_RCVBUF = 8;
/** receive timeout, struct timeval (SO_RCVTIMEO_OLD on 64-bit). */
export const SO_RCVTIMEO = 20;
/** send buffer size beyond the cap (CAP_NET_ADMIN). */
export const SO_SNDBUFFORCE = 32;
/** receive buffer size beyond the cap (CAP_NET_ADMIN). */
export const SO_RCVBUFFORCE = 33;
/** recv flag: return the real datagram length even when it did not fit. */
export const MSG_TRUNC = 0x20;
/** socket type flag: non-blocking (O_NONBLOCK). */
export const SOCK_NONBLOCK = 0o4000;
/** connect(2) on a non-blocking socket: the connection is being made. */
export const EINPROGRESS = 115;
/** Size of struct pollfd. */
export const POLLFD_SIZE = 8;
/** poll event: data to read (asm-generic/poll.h). */
export const POLLIN = 0x001;
/** poll event: writable; for a non-blocking connect, the handshake has finished either way. */
export const POLLOUT = 0x004;
/** poll event: a pending socket error or a non-empty error queue. */
export const POLLERR = 0x008;
/** poll event: hung up. */
export const POLLHUP = 0x010;
/** poll event: fd not open (a bug in the caller). */
export const POLLNVAL = 0x020;
/** pending socket error, read and cleared by getsockopt. */
export const SO_ERROR = 4;
/** struct linger { int l_onoff; int l_linger; }: on with 0 makes close() send a RST at once. */
export const SO_LINGER = 13;
/** recv flag: do not block. */
export const MSG_DONTWAIT = 0x40;
/** recv flag: read the socket's error queue (IP_RECVERR). */
export const MSG_ERRQUEUE = 0x2000;

// libnftables lives in its own file (kernel/nft/) to keep this one about libc; FFI stays in kernel/.
export { libnftables, NFT_CTX_DEFAULT, NFT_CTX_OUTPUT_JSON, type Libnftables } from './nft/libnftables.js';
