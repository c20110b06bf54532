// The pure part of the probe engine: socket addresses, ICMP echo requests and replies as ping
// sockets see them (ICMP header + payload, no IP header), and the mapping from an errno a probe
// socket reports to the short reason a person reads. No system calls here, so all of it is
// unit-tested without root; probe-socket.ts does the I/O.
import { addressBytes, parseAddress, type Family } from '../util/ip.js';

/** What a probe checks. */
export type ProbeKind = 'icmp' | 'tcp' | 'udp';

/** Address families (linux/socket.h). */
export const AF_INET = 2;
/** IPv6 address family. */
export const AF_INET6 = 10;

/** ICMP echo types: request/reply for IPv4 and ICMPv6. */
const ECHO = { 4: { request: 8, reply: 0 }, 6: { request: 128, reply: 129 } } as const;

/** The family of an address, or undefined when it is not a plain IPv4/IPv6 address. */
export function familyOf(address: string): Family | undefined {
  // A zone ("fe80::1%eth0") would need if_nametoindex inside the namespace: not supported.
  if (address.includes('%')) return undefined;
  return parseAddress(address)?.family;
}

/** struct sockaddr_in / sockaddr_in6 for an address and port (family in host order, port big-endian). */
export function sockaddr(address: string, port: number): Buffer {
  const bytes = addressBytes(address);
  if (bytes.length === 4) {
    const b = Buffer.alloc(16);
    b.writeUInt16LE(AF_INET, 0);
    b.writeUInt16BE(port, 2);
    b.set(bytes, 4);
    return b;
  }
  const b = Buffer.alloc(28);
  b.writeUInt16LE(AF_INET6, 0);
  b.writeUInt16BE(port, 2);
  b.set(bytes, 8);
  return b;
}

/**
 * An echo request for a ping socket: type, code 0, checksum and identifier left 0 (the kernel
 * fills both in: the identifier is the socket's "port"), our sequence number, then the payload.
 */
export function echoRequest(family: Family, seq: number, payload: Buffer): Buffer {
  const b = Buffer.alloc(8 + payload.length);
  b.writeUInt8(ECHO[family].request, 0);
  b.writeUInt16BE(seq & 0xffff, 6);
  payload.copy(b, 8);
  return b;
}

/**
 * Whether a message read from a ping socket is the reply to our request: an echo reply with our
 * sequence number and the exact payload. The kernel already matched the identifier.
 */
export function isEchoReply(family: Family, msg: Buffer, seq: number, payload: Buffer): boolean {
  if (msg.length !== 8 + payload.length) return false;
  if (msg.readUInt8(0) !== ECHO[family].reply || msg.readUInt8(1) !== 0) return false;
  if (msg.readUInt16BE(6) !== (seq & 0xffff)) return false;
  return msg.subarray(8).equals(payload);
}

/**
 * An echo request for a raw ICMP socket: as for a ping socket, plus what the kernel fills in
 * there: the identifier and, for IPv4, the checksum (the kernel computes ICMPv6's on raw sockets).
 */
export function rawEchoRequest(family: Family, ident: number, seq: number, payload: Buffer): Buffer {
  const b = echoRequest(family, seq, payload);
  b.writeUInt16BE(ident & 0xffff, 4);
  if (family === 4) b.writeUInt16BE(icmpChecksum(b), 2);
  return b;
}

/** The Internet checksum (RFC 1071) of an ICMP message whose checksum field is zero. */
export function icmpChecksum(b: Buffer): number {
  let sum = 0;
  for (let i = 0; i + 1 < b.length; i += 2) sum += b.readUInt16BE(i);
  if (b.length % 2) sum += (b[b.length - 1] as number) << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/**
 * Whether a message read from a raw ICMP socket is the reply to our request. IPv4 raw sockets
 * get the IP header too (skipped by its length); the kernel matches no identifier for raw
 * sockets, so ours is checked here along with the sequence number and the payload.
 */
export function isRawEchoReply(family: Family, msg: Buffer, ident: number, seq: number, payload: Buffer): boolean {
  let icmp = msg;
  if (family === 4) {
    if (msg.length < 20 || msg[0]! >> 4 !== 4) return false;
    icmp = msg.subarray((msg[0]! & 0x0f) * 4);
  }
  return icmp.length >= 8 && icmp.readUInt16BE(4) === (ident & 0xffff) && isEchoReply(family, icmp, seq, payload);
}

/** The reason given when an attempt drew no answer at all before its deadline. */
export function silenceReason(kind: ProbeKind): string {
  return kind === 'udp' ? 'no answer' : 'timeout';
}

/** UDP: an ICMP port unreachable means a host is there; the probe counts as reached. */
export const PORT_UNREACHABLE_REACHED = 'port unreachable (counted as reached)';

/**
 * Short reason for an errno a probe socket reported (from socket, connect, send, recv or
 * SO_ERROR). ICMP errors arrive as these errnos (the kernel's icmp_err_convert table): net
 * unreachable → ENETUNREACH; host unreachable, administratively filtered and TTL exceeded →
 * EHOSTUNREACH; port unreachable → ECONNREFUSED. EHOSTUNREACH reads "no route to host" for TCP, as
 * curl and nc say, and "host unreachable" for ICMP and UDP, as ping says.
 */
export function reasonFor(kind: ProbeKind, code: string): string {
  switch (code) {
    case 'ECONNREFUSED':
      return kind === 'udp' ? PORT_UNREACHABLE_REACHED : 'connection refused';
    case 'EHOSTUNREACH':
      return kind === 'tcp' ? 'no route to host' : 'host unreachable';
    case 'ETIMEDOUT':
      return silenceReason(kind);
    case 'EACCES':
      // Ping sockets are refused when the caller's group is outside net.ipv4.ping_group_range.
      return kind === 'icmp' ? 'ping sockets not permitted (net.ipv4.ping_group_range)' : 'permission denied';
    default:
      return REASONS[code] ?? `error ${code}`;
  }
}

/** Reasons that read the same for every kind of probe. */
const REASONS: Readonly<Record<string, string>> = {
  ENETUNREACH: 'network unreachable',
  EHOSTDOWN: 'host down',
  ENONET: 'host isolated',
  ENOPROTOOPT: 'protocol unreachable',
  EMSGSIZE: 'message too long (fragmentation needed)',
  EOPNOTSUPP: 'source route failed',
  // An nft/iptables drop in the source namespace's output hook fails the send with EPERM.
  EPERM: 'blocked by a local firewall',
  EADDRNOTAVAIL: 'no usable source address',
  // The neighbour table is shared by all namespaces on the host and capped by gc_thresh3; when it
  // is full, sends to a not-yet-resolved neighbour fail with ENOBUFS (notes/kernel.md).
  ENOBUFS: 'no buffer space (neighbour table full? net.ipv4.neigh.default.gc_thresh3)',
  ECONNRESET: 'connection reset',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files (system)',
  EAFNOSUPPORT: 'address family not supported in this namespace',
};
