// ICMP and ICMPv6 as tcpdump words them: echo request/reply with id and seq, destination
// unreachable with the address (and port) of the packet that bounced, time exceeded, redirects,
// and IPv6 neighbour discovery (who has / tgt is) and router messages. Pure.
import type { Bytes, Token } from './bytes.js';

const IP_PROTO: Readonly<Record<number, string>> = { 6: 'tcp', 17: 'udp', 132: 'sctp' };

/** The returned packet inside an ICMP error (from offset 8): its destination, protocol and port. */
function inner(p: Bytes, family: 4 | 6): { dst: string; proto: number; dport?: number } | undefined {
  if (family === 4) {
    if (!p.has(8, 20)) return undefined;
    const l4 = 8 + (p.u8(8) & 0x0f) * 4;
    const proto = p.u8(8 + 9);
    return { dst: p.ip(8 + 16, 4), proto, ...(p.has(l4, 4) && IP_PROTO[proto] ? { dport: p.u16(l4 + 2) } : {}) };
  }
  if (!p.has(8, 40)) return undefined;
  const proto = p.u8(8 + 6);
  return { dst: p.ip(8 + 24, 16), proto, ...(p.has(48, 4) && IP_PROTO[proto] ? { dport: p.u16(48 + 2) } : {}) };
}

const UNREACH4: Readonly<Record<number, string>> = { 0: 'net', 1: 'host', 9: 'net', 10: 'host', 13: 'host' };

/** An ICMP (v4) message. */
export function icmp4(p: Bytes): Token[] {
  if (!p.has(0, 4)) return ['ICMP [|icmp]'];
  const [type, code] = [p.u8(0), p.u8(1)];
  const len = `, length ${p.length}`;
  switch (type) {
    case 0:
    case 8:
      return [`ICMP echo ${type === 8 ? 'request' : 'reply'}, id ${p.u16(4)}, seq ${p.u16(6)}${len}`];
    case 3:
      return [...unreachable4(p, code), len];
    case 11:
      return [`ICMP ${code === 0 ? 'time exceeded in-transit' : 'ip reassembly time exceeded'}${len}`];
    case 5: {
      const i = inner(p, 4);
      return i ? ['ICMP redirect ', { ip: i.dst }, ' to host ', { ip: p.ip(4, 4) }, len] : [`ICMP redirect${len}`];
    }
    default:
      return [`ICMP type ${type}, code ${code}${len}`];
  }
}

function unreachable4(p: Bytes, code: number): Token[] {
  const i = inner(p, 4);
  if (!i) return [`ICMP unreachable, code ${code}`];
  const admin = code === 9 || code === 10 || code === 13 ? ' - admin prohibited' : '';
  if (UNREACH4[code]) return [`ICMP ${UNREACH4[code]} `, { ip: i.dst }, ` unreachable${admin}`];
  if (code === 2) return ['ICMP ', { ip: i.dst }, ` protocol ${i.proto} unreachable`];
  if (code === 3) return ['ICMP ', { ip: i.dst }, ` ${IP_PROTO[i.proto] ?? `proto ${i.proto}`}${i.dport === undefined ? '' : ` port ${i.dport}`} unreachable`];
  if (code === 4) return ['ICMP ', { ip: i.dst }, ` unreachable - need to frag (mtu ${p.u16(6)})`];
  return ['ICMP ', { ip: i.dst }, ` unreachable, code ${code}`];
}

const UNREACH6: Readonly<Record<number, string>> = {
  0: 'no route to',
  1: 'admin prohibited',
  3: 'unreachable address',
  4: 'unreachable port',
  5: 'source address failed policy',
  6: 'reject route to',
};
const SIMPLE6: Readonly<Record<number, string>> = {
  130: 'multicast listener query',
  131: 'multicast listener report',
  132: 'multicast listener done',
  133: 'router solicitation',
  134: 'router advertisement',
  137: 'redirect',
};

/** An ICMPv6 message. */
export function icmp6(p: Bytes): Token[] {
  if (!p.has(0, 4)) return ['ICMP6 [|icmp6]'];
  const [type, code] = [p.u8(0), p.u8(1)];
  const len = `, length ${p.length}`;
  switch (type) {
    case 128:
    case 129:
      return [`ICMP6, echo ${type === 128 ? 'request' : 'reply'}, id ${p.u16(4)}, seq ${p.u16(6)}${len}`];
    case 135:
    case 136: {
      if (!p.has(8, 16)) return ['ICMP6, neighbor discovery [|icmp6]'];
      return [type === 135 ? 'ICMP6, neighbor solicitation, who has ' : 'ICMP6, neighbor advertisement, tgt is ', { ip: p.ip(8, 16) }, len];
    }
    case 1: {
      const i = inner(p, 6);
      const what = UNREACH6[code] ?? `code ${code}`;
      if (!i) return [`ICMP6, destination unreachable, ${what}${len}`];
      const port = i.dport === undefined ? '' : ` ${IP_PROTO[i.proto] ?? `proto ${i.proto}`} port ${i.dport}`;
      return [`ICMP6, destination unreachable, ${what} `, { ip: i.dst }, `${port}${len}`];
    }
    case 2:
      return [`ICMP6, packet too big, mtu ${p.u32(4)}${len}`];
    case 3:
      return [`ICMP6, time exceeded ${code === 0 ? 'in-transit' : 'in fragment reassembly'}${len}`];
    case 143:
      return [`ICMP6, multicast listener report v2, ${p.u16(6)} group record(s)${len}`];
    default:
      return [`ICMP6, ${SIMPLE6[type] ?? `type ${type}, code ${code}`}${len}`];
  }
}
