// evaluateChain: nft's verdict for one packet, table-driven over hand-built chains (the shapes the
// topology loader produces: canonical CIDRs, port ranges), plus one chain loaded from YAML.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FirewallChain, FirewallRule } from '../../../src/model/types.js';
import { describeRule, evaluateChain, type FwPacket } from '../../../src/verify/firewall-eval.js';
import { topo } from '../helpers.js';

const span = { line: 1, col: 1 };
const rule = (r: Omit<FirewallRule, 'span'>): FirewallRule => ({ ...r, span });
const chain = (policy: 'accept' | 'drop', rules: Omit<FirewallRule, 'span'>[], established = true): FirewallChain => ({
  policy,
  established,
  rules: rules.map(rule),
  span,
});
const pkt = (p: Partial<FwPacket> = {}): FwPacket => ({ proto: 'icmp', src: '10.40.0.20', dst: '10.40.0.10', state: 'new', iif: 'eth0', ...p });

const WEB = chain('drop', [{ action: 'accept', proto: 'tcp', dport: [{ from: 8080, to: 8080 }] }]);
const MIXED = chain('accept', [
  { action: 'drop', saddr: ['10.9.0.0/16'] },
  { action: 'reject', proto: 'tcp', dport: [{ from: 20, to: 23 }] },
  { action: 'accept', proto: 'icmp' },
  { action: 'drop', proto: 'icmpv6' },
  { action: 'drop', dport: [{ from: 53, to: 53 }] },
  { action: 'drop', iif: 'eth1', state: ['new'] },
]);

const rows: Array<{ name: string; chain: FirewallChain | undefined; packet: FwPacket; verdict: string; rule: string; text?: string }> = [
  {
    name: 'accept by port',
    chain: WEB,
    packet: pkt({ proto: 'tcp', sport: 49152, dport: 8080 }),
    verdict: 'accept',
    rule: 'nslab:fw:input#1',
    text: 'rule input#1 (tcp dport 8080) accepts',
  },
  {
    name: 'another port falls to the policy',
    chain: WEB,
    packet: pkt({ proto: 'tcp', dport: 9090 }),
    verdict: 'drop',
    rule: 'policy',
    text: 'policy drop of chain input',
  },
  { name: 'udp to the tcp port falls to the policy', chain: WEB, packet: pkt({ proto: 'udp', dport: 8080 }), verdict: 'drop', rule: 'policy' },
  { name: 'icmp does not match a tcp rule: policy drop', chain: WEB, packet: pkt(), verdict: 'drop', rule: 'policy' },
  {
    name: 'established passes a drop policy (#0)',
    chain: WEB,
    packet: pkt({ state: 'established' }),
    verdict: 'accept',
    rule: 'nslab:fw:input#0',
    text: 'rule input#0 (ct state established,related) accepts',
  },
  {
    name: 'established: false leaves replies to the rules',
    chain: chain('drop', [], false),
    packet: pkt({ state: 'established' }),
    verdict: 'drop',
    rule: 'policy',
  },
  { name: 'undeclared chain accepts', chain: undefined, packet: pkt(), verdict: 'accept', rule: 'policy' },
  {
    name: 'CIDR match drops',
    chain: MIXED,
    packet: pkt({ src: '10.9.3.4' }),
    verdict: 'drop',
    rule: 'nslab:fw:input#1',
    text: 'rule input#1 (saddr 10.9.0.0/16) drops',
  },
  {
    name: 'CIDR mismatch: next rule (icmp accepted)',
    chain: MIXED,
    packet: pkt({ src: '10.10.0.1' }),
    verdict: 'accept',
    rule: 'nslab:fw:input#3',
    text: 'rule input#3 (icmp) accepts',
  },
  {
    name: 'port range rejects',
    chain: MIXED,
    packet: pkt({ proto: 'tcp', dport: 22 }),
    verdict: 'reject',
    rule: 'nslab:fw:input#2',
    text: 'rule input#2 (tcp dport 20-23) rejects',
  },
  { name: 'icmpv6 matches icmp over IPv6, not icmp', chain: MIXED, packet: pkt({ src: 'fd00::2', dst: 'fd00::1' }), verdict: 'drop', rule: 'nslab:fw:input#4' },
  {
    name: 'ports without proto match udp (th)',
    chain: MIXED,
    packet: pkt({ proto: 'udp', dport: 53 }),
    verdict: 'drop',
    rule: 'nslab:fw:input#5',
    text: 'rule input#5 (th dport 53) drops',
  },
  { name: 'iif and state must both hold', chain: MIXED, packet: pkt({ proto: 'udp', dport: 99, iif: 'eth1' }), verdict: 'drop', rule: 'nslab:fw:input#6' },
  {
    name: 'iif holds but state does not: policy accept',
    chain: MIXED,
    packet: pkt({ proto: 'udp', dport: 99, iif: 'eth1', state: 'established' }),
    verdict: 'accept',
    rule: 'nslab:fw:input#0',
  },
  {
    name: 'no iif (output): an iif rule never matches',
    chain: chain('accept', [{ action: 'drop', iif: 'eth0' }]),
    packet: { proto: 'icmp', src: '10.40.0.10', dst: '10.40.0.20', state: 'new', oif: 'eth0' },
    verdict: 'accept',
    rule: 'policy',
  },
  {
    name: 'daddr across families never matches',
    chain: chain('accept', [{ action: 'drop', daddr: ['fd00::/64'] }]),
    packet: pkt(),
    verdict: 'accept',
    rule: 'policy',
  },
];

for (const r of rows) {
  test(`evaluateChain: ${r.name}`, () => {
    const v = evaluateChain({ lab: 'fw', chainName: 'input', chain: r.chain, packet: r.packet });
    assert.equal(v.verdict, r.verdict, JSON.stringify(v));
    assert.equal(v.rule, r.rule);
    if (r.text !== undefined) assert.equal(v.text, r.text);
  });
}

test('evaluateChain on chains loaded from YAML: rules, then deny, then allow; node names resolved to addresses', () => {
  const t = topo(`
name: fw
networks:
  lan: { subnet: 10.40.0.0/24 }
nodes:
  web:
    interfaces: { eth0: { network: lan, address: 10.40.0.10/24 } }
    firewall:
      input:
        policy: drop
        rules: [ { action: reject, proto: tcp, dport: 23 } ]
        deny: [ { from: client } ]
        allow: [ { proto: tcp, dport: [80, "8000-8099"] }, { proto: icmp } ]
  client: { interfaces: { eth0: { network: lan, address: 10.40.0.20/24 } } }
  other: { interfaces: { eth0: { network: lan, address: 10.40.0.30/24 } } }
`);
  const input = t.nodes.get('web')!.firewall!.input!;
  const ev = (p: Partial<FwPacket>) => evaluateChain({ lab: 'fw', chainName: 'input', chain: input, packet: pkt(p) });
  assert.equal(ev({ proto: 'tcp', dport: 23 }).rule, 'nslab:fw:input#1');
  assert.equal(ev({ proto: 'tcp', dport: 80 }).rule, 'nslab:fw:input#2'); // client is denied first
  assert.equal(ev({ src: '10.40.0.30', proto: 'tcp', dport: 8050 }).rule, 'nslab:fw:input#3');
  assert.equal(ev({ src: '10.40.0.30' }).rule, 'nslab:fw:input#4');
  assert.equal(ev({ src: '10.40.0.30', proto: 'udp', dport: 80 }).verdict, 'drop');
  assert.equal(describeRule(input.rules[2]!), 'tcp dport { 80, 8000-8099 }');
});
