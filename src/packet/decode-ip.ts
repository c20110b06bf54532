// IPv4 and IPv6 headers (IPv6 extension headers skipped to the transport), and the transports
// nslab decodes: TCP (flags as tcpdump prints them), UDP (ports, length), ICMP and ICMPv6 (in
// decode-icmp.ts). Pure; a short header ends the line with "[|proto]".
import { at, type Bytes, type Token } from './bytes.js';
import { icmp4, icmp6 } from './decode-icmp.js';

/** The transport's summary and its ports (TCP, UDP), which belong next to the addresses. */
interface Transport {
  readonly sport?: number;
  readonly dport?: number;
  readonly tokens: readonly Token[];
}

const PROTOCOLS: Readonly<Record<number, string>> = { 1: 'ICMP', 2: 'IGMP', 6: 'TCP', 17: 'UDP', 47: 'GRE', 50: 'ESP', 58: 'ICMP6', 89: 'OSPF', 132: 'SCTP' };
const protoName = (p: number): string => PROTOCOLS[p] ?? `ip-proto-${p}`;

/** An IPv4 packet: "IPv4, SRC > DST: transport". */
export function ipv4(p: Bytes): Token[] {
  if (!p.has(0, 20)) return ['IPv4, [|ip]'];
  if (p.u8(0) >> 4 !== 4) return [`IPv4, bad version ${p.u8(0) >> 4}`];
  const ihl = (p.u8(0) & 0x0f) * 4;
  const frag = p.u16(6);
  const offset = (frag & 0x1fff) * 8;
  const proto = p.u8(9);
  const src = p.ip(12, 4);
  const dst = p.ip(16, 4);
  // The total length drops the Ethernet padding of short frames.
  const payload = p.from(ihl, p.u16(2));
  const more = frag & 0x2000 ? ' (more fragments)' : '';
  if (offset > 0) return ['IPv4, ', { ip: src }, ' > ', { ip: dst }, `: ${protoName(proto)} fragment at offset ${offset}${more}`];
  const t = transport(proto, payload, 4);
  return ['IPv4, ', at(src, t.sport), ' > ', at(dst, t.dport), ': ', ...t.tokens, ...(more ? [more] : [])];
}

const EXTENSIONS = new Set([0, 43, 60, 51]);

/** An IPv6 packet: "IPv6, SRC > DST: transport", after hop-by-hop, routing, fragment and destination options. */
export function ipv6(p: Bytes): Token[] {
  if (!p.has(0, 40)) return ['IPv6, [|ip6]'];
  const src = p.ip(8, 16);
  const dst = p.ip(24, 16);
  const end = 40 + p.u16(4);
  let next = p.u8(6);
  let off = 40;
  let fragment = '';
  while (EXTENSIONS.has(next) || next === 44) {
    if (!p.has(off, 8)) return ['IPv6, ', { ip: src }, ' > ', { ip: dst }, ': [|ip6 extension]'];
    if (next === 44) {
      const fo = p.u16(off + 2) & 0xfff8;
      if (fo > 0) return ['IPv6, ', { ip: src }, ' > ', { ip: dst }, `: ${protoName(p.u8(off))} fragment at offset ${fo}`];
      fragment = p.u16(off + 2) & 1 ? ' (more fragments)' : '';
      next = p.u8(off);
      off += 8;
      continue;
    }
    // AH counts its length in 32-bit words minus 2, the others in 8-octet units minus 1.
    const len = next === 51 ? (p.u8(off + 1) + 2) * 4 : (p.u8(off + 1) + 1) * 8;
    next = p.u8(off);
    off += len;
  }
  const t = transport(next, p.from(off, end), 6);
  return ['IPv6, ', at(src, t.sport), ' > ', at(dst, t.dport), ': ', ...t.tokens, ...(fragment ? [fragment] : [])];
}

function transport(proto: number, p: Bytes, family: 4 | 6): Transport {
  switch (proto) {
    case 6:
      return tcp(p);
    case 17:
      return udp(p);
    case 1:
      return { tokens: family === 4 ? icmp4(p) : ['ICMP over IPv6'] };
    case 58:
      return { tokens: icmp6(p) };
    case 59:
      return { tokens: ['no next header'] };
    default:
      return { tokens: [`${protoName(proto)}, length ${p.length}`] };
  }
}

/** Flag letters in tcpdump's order: FIN SYN RST PUSH ACK(.) URG ECE CWR. */
const TCP_FLAGS: ReadonlyArray<readonly [number, string]> = [
  [0x01, 'F'],
  [0x02, 'S'],
  [0x04, 'R'],
  [0x08, 'P'],
  [0x10, '.'],
  [0x20, 'U'],
  [0x40, 'E'],
  [0x80, 'W'],
];

/** "TCP [S.], seq X, ack Y, win W, length N" (absolute sequence numbers; N = payload bytes). */
export function tcp(p: Bytes): Transport {
  if (!p.has(0, 4)) return { tokens: ['TCP [|tcp]'] };
  const ports = { sport: p.u16(0), dport: p.u16(2) };
  if (!p.has(0, 20)) return { ...ports, tokens: ['TCP [|tcp]'] };
  const flags = p.u8(13);
  const letters =
    TCP_FLAGS.filter(([bit]) => flags & bit)
      .map(([, l]) => l)
      .join('') || 'none';
  const ack = flags & 0x10 ? `, ack ${p.u32(8)}` : '';
  const data = Math.max(0, p.length - (p.u8(12) >> 4) * 4);
  return { ...ports, tokens: [`TCP [${letters}], seq ${p.u32(4)}${ack}, win ${p.u16(14)}, length ${data}`] };
}

/** "UDP, length N" (payload bytes, from the UDP header). */
export function udp(p: Bytes): Transport {
  if (!p.has(0, 8)) return p.has(0, 4) ? { sport: p.u16(0), dport: p.u16(2), tokens: ['UDP [|udp]'] } : { tokens: ['UDP [|udp]'] };
  return { sport: p.u16(0), dport: p.u16(2), tokens: [`UDP, length ${Math.max(0, p.u16(4) - 8)}`] };
}
