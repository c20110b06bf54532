// Decoding a captured Ethernet frame into a one-line summary in tcpdump's vocabulary: Ethernet
// (and 802.1Q tags), ARP here; IPv4/IPv6/TCP/UDP in decode-ip.ts; ICMP/ICMPv6 in decode-icmp.ts.
// Header parsing only: the packets were captured by tcpdump. Written by hand because the headers
// are fixed layouts and the one npm decoder (node_pcap's) comes with a native libpcap binding and
// has not been maintained since 2019. Pure, and never throws: a short packet ends with "[|proto]".
import { Bytes, type Token } from './bytes.js';
import { ipv4, ipv6 } from './decode-ip.js';

export type { Token } from './bytes.js';

/** A frame as summarised: link-layer addresses (absent if the frame is too short) and the rest. */
export interface Summary {
  readonly src?: string;
  readonly dst?: string;
  readonly tokens: readonly Token[];
}

const ETHERTYPES: Readonly<Record<number, string>> = { 0x88cc: 'LLDP', 0x8035: 'RARP', 0x88e5: 'MACsec', 0x8847: 'MPLS' };

/** Summarise an Ethernet frame (LINKTYPE_ETHERNET). */
export function decodeEthernet(frame: Uint8Array): Summary {
  const b = new Bytes(frame);
  if (!b.has(0, 14)) return { tokens: ['[|ether]'] };
  const tokens: Token[] = [];
  let type = b.u16(12);
  let off = 14;
  while (type === 0x8100 || type === 0x88a8) {
    if (!b.has(off, 4)) return { src: b.mac(6), dst: b.mac(0), tokens: [...tokens, '[|vlan]'] };
    tokens.push(`vlan ${b.u16(off) & 0x0fff}, `);
    type = b.u16(off + 2);
    off += 4;
  }
  tokens.push(...network(type, b.from(off)));
  return { src: b.mac(6), dst: b.mac(0), tokens };
}

function network(type: number, p: Bytes): Token[] {
  if (type < 0x0600) return [`802.3, length ${type}`];
  switch (type) {
    case 0x0806:
      return arp(p);
    case 0x0800:
      return ipv4(p);
    case 0x86dd:
      return ipv6(p);
    default:
      return [`ethertype ${ETHERTYPES[type] ?? `0x${type.toString(16).padStart(4, '0')}`}, length ${p.length}`];
  }
}

/** ARP for IPv4 over Ethernet, as tcpdump words it: "Request who-has A tell B", "Reply A is-at M". */
function arp(p: Bytes): Token[] {
  if (!p.has(0, 8)) return ['ARP, [|arp]'];
  const [htype, ptype, hlen, plen, op] = [p.u16(0), p.u16(2), p.u8(4), p.u8(5), p.u16(6)];
  if (htype !== 1 || ptype !== 0x0800 || hlen !== 6 || plen !== 4) {
    return [`ARP, hardware ${htype}, protocol 0x${ptype.toString(16).padStart(4, '0')}, op ${op}`];
  }
  if (!p.has(0, 28)) return ['ARP, [|arp]'];
  const sha = p.mac(8);
  const spa = p.ip(14, 4);
  const tpa = p.ip(24, 4);
  if (op === 1) return ['ARP, Request who-has ', { ip: tpa }, ' tell ', { ip: spa }];
  if (op === 2) return ['ARP, Reply ', { ip: spa }, ' is-at ', { mac: sha }];
  return [`ARP, op ${op}, `, { ip: spa }, ' > ', { ip: tpa }];
}
