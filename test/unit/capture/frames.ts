// Builders for test frames: Ethernet, ARP, IPv4/IPv6, ICMP, TCP, UDP headers laid out byte by
// byte as on the wire (checksums left zero: the decoder does not verify them).
import { addressBytes } from '../../../src/util/ip.js';

const macBytes = (m: string): number[] => m.split(':').map((x) => parseInt(x, 16));
const u16 = (n: number): number[] => [(n >> 8) & 0xff, n & 0xff];
const u32 = (n: number): number[] => [...u16(Math.floor(n / 0x10000)), ...u16(n % 0x10000)];
const ip = (a: string): number[] => Array.from(addressBytes(a));

export const MAC_A = '02:00:00:00:00:0a';
export const MAC_B = '02:00:00:00:00:0b';
export const BROADCAST = 'ff:ff:ff:ff:ff:ff';

/** An Ethernet frame. */
export function eth(dst: string, src: string, type: number, payload: readonly number[]): Uint8Array {
  return Uint8Array.from([...macBytes(dst), ...macBytes(src), ...u16(type), ...payload]);
}

/** An ARP packet for IPv4 over Ethernet (op 1 request, 2 reply). */
export function arp(op: number, sha: string, spa: string, tha: string, tpa: string): number[] {
  return [...u16(1), ...u16(0x0800), 6, 4, ...u16(op), ...macBytes(sha), ...ip(spa), ...macBytes(tha), ...ip(tpa)];
}

/** An IPv4 header (20 bytes, no options) and payload. */
export function ipv4(src: string, dst: string, proto: number, payload: readonly number[], o: { frag?: number } = {}): number[] {
  return [0x45, 0, ...u16(20 + payload.length), ...u16(1), ...u16(o.frag ?? 0x4000), 64, proto, 0, 0, ...ip(src), ...ip(dst), ...payload];
}

/** An IPv6 header (40 bytes) and payload. */
export function ipv6(src: string, dst: string, next: number, payload: readonly number[]): number[] {
  return [0x60, 0, 0, 0, ...u16(payload.length), next, 64, ...ip(src), ...ip(dst), ...payload];
}

/** An ICMP/ICMPv6 echo (type 8/0 or 128/129) with `data` bytes of payload. */
export function echo(type: number, id: number, seq: number, data = 56): number[] {
  return [type, 0, 0, 0, ...u16(id), ...u16(seq), ...new Array<number>(data).fill(0x61)];
}

/** A TCP header (20 bytes) with flags and `data` bytes of payload. */
export function tcp(sport: number, dport: number, flags: number, o: { seq?: number; ack?: number; win?: number; data?: number } = {}): number[] {
  return [
    ...u16(sport),
    ...u16(dport),
    ...u32(o.seq ?? 1000),
    ...u32(o.ack ?? 0),
    0x50,
    flags,
    ...u16(o.win ?? 64240),
    0,
    0,
    0,
    0,
    ...new Array<number>(o.data ?? 0).fill(0),
  ];
}

/** A UDP header and `data` bytes of payload. */
export function udp(sport: number, dport: number, data: number): number[] {
  return [...u16(sport), ...u16(dport), ...u16(8 + data), 0, 0, ...new Array<number>(data).fill(0)];
}

/** An ICMP error (type, code) quoting the start of `quoted` (an IP packet). */
export function icmpError(type: number, code: number, quoted: readonly number[], rest: readonly number[] = [0, 0, 0, 0]): number[] {
  return [type, code, 0, 0, ...rest, ...quoted.slice(0, 28)];
}

/** An ICMPv6 neighbour solicitation (135) or advertisement (136) for `target`. */
export function nd(type: 135 | 136, target: string): number[] {
  return [type, 0, 0, 0, 0, 0, 0, 0, ...ip(target)];
}
