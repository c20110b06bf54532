// The decoder and the line format: frames built byte by byte, summarised in tcpdump's words with
// the lab's names next to raw addresses; short frames never throw.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeEthernet } from '../../../src/packet/decode.js';
import { formatLine, formatTime, tokenText } from '../../../src/packet/format.js';
import type { Namer } from '../../../src/packet/names.js';
import { arp, BROADCAST, echo, eth, icmpError, ipv4, ipv6, MAC_A, MAC_B, nd, tcp, udp } from './frames.js';

const names: Namer = {
  mac: (m) => ({ [MAC_A]: 'netns1:ceth1', [MAC_B]: 'br0 gateway', [BROADCAST]: 'broadcast' })[m],
  ip: (a) => ({ '172.20.0.11': 'netns1', '172.20.0.10': 'br0 gateway', 'fe80::a': 'netns1', 'fe80::b': 'r1:eth0' })[a],
};
const none: Namer = { mac: () => undefined, ip: () => undefined };

/** The summary after the link layer, with names. */
const body = (frame: Uint8Array, n: Namer = names): string =>
  decodeEthernet(frame)
    .tokens.map((t) => tokenText(t, n))
    .join('');

test('an ARP request and reply read as tcpdump words them, with names after the raw addresses', () => {
  const req = eth(BROADCAST, MAC_A, 0x0806, arp(1, MAC_A, '172.20.0.11', '00:00:00:00:00:00', '172.20.0.10'));
  assert.equal(body(req), 'ARP, Request who-has 172.20.0.10 (br0 gateway) tell 172.20.0.11 (netns1)');
  const rep = eth(MAC_A, MAC_B, 0x0806, arp(2, MAC_B, '172.20.0.10', MAC_A, '172.20.0.11'));
  assert.equal(body(rep), `ARP, Reply 172.20.0.10 (br0 gateway) is-at ${MAC_B} (br0 gateway)`);
  assert.equal(body(rep, none), `ARP, Reply 172.20.0.10 is-at ${MAC_B}`);
});

test('ICMP echo request and reply carry id, seq and the ICMP length', () => {
  const req = eth(MAC_B, MAC_A, 0x0800, ipv4('172.20.0.11', '172.20.0.10', 1, echo(8, 7, 1)));
  assert.equal(body(req), 'IPv4, 172.20.0.11 (netns1) > 172.20.0.10 (br0 gateway): ICMP echo request, id 7, seq 1, length 64');
  const rep = eth(MAC_A, MAC_B, 0x0800, ipv4('172.20.0.10', '172.20.0.11', 1, echo(0, 7, 1)));
  assert.equal(body(rep), 'IPv4, 172.20.0.10 (br0 gateway) > 172.20.0.11 (netns1): ICMP echo reply, id 7, seq 1, length 64');
});

test('Ethernet padding of a short frame is not counted as ICMP payload', () => {
  const frame = eth(MAC_B, MAC_A, 0x0800, [...ipv4('10.0.0.1', '10.0.0.2', 1, echo(8, 1, 1, 0)), ...new Array<number>(18).fill(0)]);
  assert.equal(body(frame, none), 'IPv4, 10.0.0.1 > 10.0.0.2: ICMP echo request, id 1, seq 1, length 8');
});

test('ICMP unreachables name the address and port of the packet that bounced', () => {
  const udpPacket = ipv4('172.20.0.11', '172.20.0.10', 17, udp(40000, 53, 4));
  const port = eth(MAC_A, MAC_B, 0x0800, ipv4('172.20.0.10', '172.20.0.11', 1, icmpError(3, 3, udpPacket)));
  assert.equal(body(port), 'IPv4, 172.20.0.10 (br0 gateway) > 172.20.0.11 (netns1): ICMP 172.20.0.10 (br0 gateway) udp port 53 unreachable, length 36');
  const host = eth(MAC_A, MAC_B, 0x0800, ipv4('172.20.0.10', '172.20.0.11', 1, icmpError(3, 1, ipv4('172.20.0.11', '10.9.9.9', 1, echo(8, 1, 1)))));
  assert.match(body(host), /: ICMP host 10\.9\.9\.9 unreachable, length 36$/);
  const admin = eth(MAC_A, MAC_B, 0x0800, ipv4('172.20.0.10', '172.20.0.11', 1, icmpError(3, 13, udpPacket)));
  assert.match(body(admin), /ICMP host 172\.20\.0\.10 \(br0 gateway\) unreachable - admin prohibited/);
  const frag = eth(MAC_A, MAC_B, 0x0800, ipv4('172.20.0.10', '172.20.0.11', 1, icmpError(3, 4, udpPacket, [0, 0, 0x05, 0xdc])));
  assert.match(body(frag, none), /unreachable - need to frag \(mtu 1500\)/);
  const ttl = eth(MAC_A, MAC_B, 0x0800, ipv4('172.20.0.10', '172.20.0.11', 1, icmpError(11, 0, udpPacket)));
  assert.match(body(ttl, none), /ICMP time exceeded in-transit/);
});

test("TCP flags are printed in tcpdump's letters and order, ports next to addresses", () => {
  const syn = eth(MAC_B, MAC_A, 0x0800, ipv4('172.20.0.11', '172.20.0.10', 6, tcp(40000, 80, 0x02, { seq: 5 })));
  assert.equal(body(syn), 'IPv4, 172.20.0.11.40000 (netns1) > 172.20.0.10.80 (br0 gateway): TCP [S], seq 5, win 64240, length 0');
  const synack = eth(MAC_A, MAC_B, 0x0800, ipv4('172.20.0.10', '172.20.0.11', 6, tcp(80, 40000, 0x12, { seq: 9, ack: 6 })));
  assert.match(body(synack, none), /TCP \[S\.\], seq 9, ack 6, win 64240, length 0$/);
  const push = eth(MAC_B, MAC_A, 0x0800, ipv4('172.20.0.11', '172.20.0.10', 6, tcp(40000, 80, 0x18, { data: 12 })));
  assert.match(body(push, none), /TCP \[P\.\], seq 1000, ack 0, win 64240, length 12$/);
  const fin = eth(MAC_B, MAC_A, 0x0800, ipv4('172.20.0.11', '172.20.0.10', 6, tcp(40000, 80, 0x11)));
  assert.match(body(fin, none), /TCP \[F\.\]/);
  const rst = eth(MAC_B, MAC_A, 0x0800, ipv4('172.20.0.11', '172.20.0.10', 6, tcp(40000, 80, 0x04)));
  assert.match(body(rst, none), /TCP \[R\]/);
});

test('UDP shows its ports and payload length', () => {
  const f = eth(MAC_B, MAC_A, 0x0800, ipv4('172.20.0.11', '172.20.0.10', 17, udp(5353, 53, 12)));
  assert.equal(body(f), 'IPv4, 172.20.0.11.5353 (netns1) > 172.20.0.10.53 (br0 gateway): UDP, length 12');
});

test('IPv6: neighbour discovery, echo, and UDP behind a hop-by-hop header', () => {
  const ns = eth('33:33:ff:00:00:0b', MAC_A, 0x86dd, ipv6('fe80::a', 'ff02::1:ff00:b', 58, nd(135, 'fe80::b')));
  assert.equal(body(ns), 'IPv6, fe80::a (netns1) > ff02::1:ff00:b: ICMP6, neighbor solicitation, who has fe80::b (r1:eth0), length 24');
  const na = eth(MAC_A, MAC_B, 0x86dd, ipv6('fe80::b', 'fe80::a', 58, nd(136, 'fe80::b')));
  assert.match(body(na), /ICMP6, neighbor advertisement, tgt is fe80::b \(r1:eth0\), length 24$/);
  const ping = eth(MAC_B, MAC_A, 0x86dd, ipv6('fd00::1', 'fd00::2', 58, echo(128, 3, 4)));
  assert.equal(body(ping, none), 'IPv6, fd00::1 > fd00::2: ICMP6, echo request, id 3, seq 4, length 64');
  const hbh = [17, 0, 5, 2, 0, 0, 1, 0]; // next header UDP, router alert option
  const f = eth(MAC_B, MAC_A, 0x86dd, ipv6('fd00::1', 'fd00::2', 0, [...hbh, ...udp(546, 547, 4)]));
  assert.equal(body(f, none), 'IPv6, fd00::1.546 > fd00::2.547: UDP, length 4');
});

test('VLAN tags and unknown ethertypes are shown, not decoded further', () => {
  const tagged = eth(MAC_B, MAC_A, 0x8100, [0x00, 0x0a, 0x08, 0x06, ...arp(1, MAC_A, '10.0.0.1', '00:00:00:00:00:00', '10.0.0.2')]);
  assert.equal(body(tagged, none), 'vlan 10, ARP, Request who-has 10.0.0.2 tell 10.0.0.1');
  assert.equal(body(eth(MAC_B, MAC_A, 0x88cc, [1, 2, 3]), none), 'ethertype LLDP, length 3');
  assert.equal(body(eth(MAC_B, MAC_A, 0x1234, []), none), 'ethertype 0x1234, length 0');
});

test('truncated frames decode as far as they go and never throw', () => {
  const full = eth(MAC_B, MAC_A, 0x0800, ipv4('172.20.0.11', '172.20.0.10', 6, tcp(40000, 80, 0x02)));
  for (let n = 0; n <= full.length; n++) assert.doesNotThrow(() => body(full.subarray(0, n)), `length ${n}`);
  assert.deepEqual(decodeEthernet(full.subarray(0, 10)), { tokens: ['[|ether]'] });
  assert.match(body(full.subarray(0, 20), none), /^IPv4, \[\|ip\]$/);
  assert.match(body(full.subarray(0, 14 + 20 + 10), none), /TCP \[\|tcp\]$/);
  const a = eth(BROADCAST, MAC_A, 0x0806, arp(1, MAC_A, '10.0.0.1', '00:00:00:00:00:00', '10.0.0.2'));
  assert.equal(body(a.subarray(0, 30), none), 'ARP, [|arp]');
  for (const f of [eth(MAC_B, MAC_A, 0x86dd, ipv6('fd00::1', 'fd00::2', 58, nd(135, 'fd00::2')))]) {
    for (let n = 0; n <= f.length; n++) assert.doesNotThrow(() => body(f.subarray(0, n)));
  }
});

test('a line is time, where it was seen, link-layer addresses with names, then the summary', () => {
  const req = eth(BROADCAST, MAC_A, 0x0806, arp(1, MAC_A, '172.20.0.11', '00:00:00:00:00:00', '172.20.0.10'));
  const tsUs = Date.UTC(2024, 0, 2, 3, 4, 5) * 1000 + 42;
  const line = formatLine({ tsUs, label: 'br0', width: 12, summary: decodeEthernet(req), names, utc: true });
  assert.equal(
    line,
    `03:04:05.000042 br0           ${MAC_A} (netns1:ceth1) > ${BROADCAST} (broadcast), ARP, Request who-has 172.20.0.10 (br0 gateway) tell 172.20.0.11 (netns1)`,
  );
  assert.equal(formatTime(999_999, true), '00:00:00.999999');
});
