// The trace walk with a fake lookup: snapshots built from the topology as `up` would leave the
// kernel, routes chosen by longest prefix with the kernel's first-route-wins tie (route-get.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HOST_NS, type LiveRoute, type NsRef, type NsSnapshot } from '../../../src/port/kernel.js';
import { routeGetFromSnapshot } from '../../helpers/route-lookup.js';
import type { Topology } from '../../../src/model/types.js';
import { formatCidr, networkOf, parseCidr } from '../../../src/util/ip.js';
import { traceLab, type Probe, type Trace } from '../../../src/verify/trace.js';
import { topo } from '../helpers.js';

const route = (to: string, dev: string | undefined, via?: string): LiveRoute => ({
  to,
  family: 4,
  protocol: 'static',
  type: 'unicast',
  scope: 'global',
  ...(dev ? { dev } : {}),
  ...(via ? { via } : {}),
});
const link = (name: string, master?: string) => ({ index: 0, name, up: true, operstate: 'UP', mtu: 1500, mac: '', ...(master ? { master } : {}) });
const addr = (dev: string, cidr: string) => ({ dev, cidr, family: 4 as const, scope: 'global' });
const defaultTo = (to: string): string => (to === 'default' ? '0.0.0.0/0' : to);

/** The kernel's connected routes (one per address, in address order) before the static ones. */
function withConnected(s: NsSnapshot): NsSnapshot {
  const connected = s.addrs.map((a) => route(formatCidr(networkOf(parseCidr(a.cidr)!)), a.dev));
  return { ...s, routes: [...connected, ...s.routes] };
}

/** What the kernels hold after `up`: addresses, connected routes first (in order), then static ones. */
function snapshots(t: Topology): Map<NsRef, NsSnapshot> {
  const m = new Map<NsRef, NsSnapshot>();
  const host: NsSnapshot = { links: [], addrs: [], routes: [], neighbours: [] };
  for (const n of t.networks.values()) {
    (host.links as unknown[]).push(link(n.bridge));
    for (const g of n.gateways) (host.addrs as unknown[]).push(addr(n.bridge, g));
  }
  for (const l of t.links) {
    if (l.kind === 'bridged') (host.links as unknown[]).push(link(l.hostEnd, t.networks.get(l.network)!.bridge));
    if (l.kind === 'host') {
      (host.links as unknown[]).push(link(l.hostEnd));
      for (const a of l.hostAddresses) (host.addrs as unknown[]).push(addr(l.hostEnd, a));
    }
  }
  m.set(HOST_NS, withConnected(host));
  for (const n of t.nodes.values()) {
    const ifs = [...n.interfaces.values()];
    m.set(
      n.netns,
      withConnected({
        links: ifs.map((i) => link(i.name)),
        addrs: ifs.flatMap((i) => i.addresses.map((a) => addr(i.name, a))),
        routes: n.routes.map((r) => route(defaultTo(r.to), r.dev, r.via)),
        neighbours: [],
      }),
    );
  }
  return m;
}

function run(
  yaml: string,
  from: string,
  to: string,
  dst: string,
  opts: { forwarding?: readonly NsRef[]; drop?: (s: Map<NsRef, NsSnapshot>) => void; probe?: Probe } = {},
): Trace {
  const t = topo(yaml);
  const snaps = snapshots(t);
  opts.drop?.(snaps);
  const fwd = new Set(opts.forwarding ?? [...t.nodes.values()].filter((n) => n.forwarding).map((n) => n.netns));
  return traceLab({
    topology: t,
    snapshots: snaps,
    from,
    to,
    dst,
    lookup: (ns, q) => {
      const s = snaps.get(ns);
      return s && routeGetFromSnapshot(s, q);
    },
    sysctl: (ns) => (fwd.has(ns) ? '1' : '0'),
    ...(opts.probe ? { probe: opts.probe } : {}),
  });
}

const BRIDGE = `
name: demo
networks:
  lan: { subnet: 172.20.0.0/16, gateway: 172.20.0.10 }
nodes:
  web: { interfaces: { eth0: { network: lan, address: 172.20.0.11/16 } } }
  db: { interfaces: { eth0: { network: lan, address: 172.20.0.12/16 } } }
`;

const ROUTED = `
name: routed
networks:
  left: { subnet: 10.0.1.0/24 }
  right: { subnet: 10.0.2.0/24 }
nodes:
  r1:
    forwarding: true
    interfaces:
      eth0: { network: left, address: 10.0.1.1/24 }
      eth1: { network: right, address: 10.0.2.1/24 }
  h1:
    interfaces: { eth0: { network: left, address: 10.0.1.10/24 } }
    routes: [{ to: default, via: 10.0.1.1 }]
  h2:
    interfaces: { eth0: { network: right, address: 10.0.2.10/24 } }
    routes: [{ to: default, via: 10.0.2.1 }]
`;

const SEED001 = `
name: seed1
nodes:
  netns1: { interfaces: { ceth1: { host: true, address: 172.20.0.11/16, host_address: 172.20.0.1/16 } } }
  netns2: { interfaces: { ceth2: { host: true, address: 172.20.0.12/16, host_address: 172.20.0.2/16 } } }
`;

const hops = (leg: Trace['request'] | undefined): string[] => (leg?.hops ?? []).map((h) => `${h.at} ${h.outDev} -> ${h.next ?? '-'}`);

test('across a bridge: one hop each way, through the bridge to the node holding the address', () => {
  const r = run(BRIDGE, 'web', 'db', '172.20.0.12');
  assert.equal(r.ok, true);
  assert.deepEqual(hops(r.request), ['web eth0 -> db']);
  assert.equal(r.request.hops[0]?.toward, 'host bridge demo-lan');
  assert.equal(r.request.hops[0]?.route, '172.20.0.0/16');
  assert.equal(r.request.src, '172.20.0.11');
  assert.deepEqual(hops(r.reply), ['db eth0 -> web']);
});

test('to the bridge gateway: the next namespace is the host', () => {
  const r = run(BRIDGE, 'web', '172.20.0.10', '172.20.0.10');
  assert.equal(r.ok, true);
  assert.equal(r.request.at, 'host');
  assert.equal(r.request.arrivedOn, 'demo-lan');
});

test('routed through a router with forwarding on, both ways', () => {
  const r = run(ROUTED, 'h1', 'h2', '10.0.2.10');
  assert.equal(r.ok, true, JSON.stringify(r));
  assert.deepEqual(hops(r.request), ['h1 eth0 -> r1', 'r1 eth1 -> h2']);
  assert.equal(r.request.hops[0]?.route, 'default via 10.0.1.1');
  assert.equal(r.request.hops[1]?.inDev, 'eth0');
  assert.deepEqual(hops(r.reply), ['h2 eth0 -> r1', 'r1 eth0 -> h1']);
});

const stops: Array<{ name: string; yaml: string; from: string; dst: string; opts?: Parameters<typeof run>[4]; code: string; at: string; message: RegExp }> = [
  {
    name: 'no route: the source has no route for the destination',
    yaml: ROUTED,
    from: 'h1',
    dst: '192.0.2.1',
    opts: {
      drop: (s) => {
        (s.get('routed-h1')!.routes as unknown[]).length = 0;
      },
    },
    code: 'no-route',
    at: 'h1',
    message: /h1 has no route to 192\.0\.2\.1/,
  },
  {
    name: 'forwarding off in the router',
    yaml: ROUTED,
    from: 'h1',
    dst: '10.0.2.10',
    opts: { forwarding: [] },
    code: 'forwarding-off',
    at: 'r1',
    message: /dropped: forwarding is off in r1/,
  },
  {
    name: 'a gateway nobody holds',
    yaml: ROUTED,
    from: 'h1',
    dst: '10.0.2.10',
    opts: {
      drop: (s) => {
        (s.get('routed-r1')!.addrs as unknown[]).splice(0, 1);
      },
    },
    code: 'no-neighbour',
    at: 'h1',
    message: /no neighbour would answer ARP for 10\.0\.1\.1 on link eth0/,
  },
  {
    name: 'seed 001: the reply leaves the other host veth in the shared subnet',
    yaml: SEED001,
    from: 'netns2',
    dst: '172.20.0.2',
    code: 'shared-subnet',
    at: 'host',
    message:
      /^replies to 172\.20\.0\.12 leave via \S+ \(the first route for 172\.20\.0\.0\/16\), not \S+ where the request came in; ARP for 172\.20\.0\.12 goes out \S+ and nobody answers\. Two interfaces of the host share 172\.20\.0\.0\/16: use one bridge \(see examples\/host-bridge\.yaml\) or distinct subnets\.$/,
  },
];

for (const row of stops) {
  test(`stops with a reason: ${row.name}`, () => {
    const r = run(row.yaml, row.from, row.dst, row.dst, row.opts);
    assert.equal(r.ok, false);
    const leg = r.reply ?? r.request;
    assert.equal(leg.stop?.code, row.code, JSON.stringify(leg));
    assert.equal(leg.stop?.at, row.at);
    assert.match(leg.stop?.message ?? '', row.message);
  });
}

test("seed 001 in detail: the request arrives at the host on netns2's veth, the reply picks netns1's", () => {
  const t = topo(SEED001);
  const ends = t.links.flatMap((l) => (l.kind === 'host' ? [l.hostEnd] : []));
  const r = run(SEED001, 'netns2', '172.20.0.2', '172.20.0.2');
  assert.equal(r.request.reached, true);
  assert.equal(r.request.at, 'host');
  assert.equal(r.request.arrivedOn, ends[1]);
  assert.equal(r.reply?.hops[0]?.outDev, ends[0]);
  assert.equal(r.reply?.hops[0]?.next, undefined);
  assert.match(r.reply?.stop?.message ?? '', new RegExp(`leave via ${ends[0]} \\(the first route .*not ${ends[1]} where the request came in`));
  // The other way round the first route is the right one: netns1 reaches the host and back.
  assert.equal(run(SEED001, 'netns1', '172.20.0.1', '172.20.0.1').ok, true);
});

test('a routing loop stops after the hop limit', () => {
  const yaml = `${ROUTED}\n`;
  const r = run(yaml, 'h1', '10.7.0.1', '10.7.0.1', {
    drop: (s) => {
      (s.get('routed-r1')!.routes as LiveRoute[]).push(route('10.7.0.0/16', 'eth0', '10.0.1.10'));
      (s.get('routed-h1')!.addrs as unknown[]).length = 1;
    },
    forwarding: ['routed-r1', 'routed-h1'],
  });
  assert.equal(r.request.stop?.code, 'loop');
});

// Firewalls: the walk asks each node's chains (model, as `up` loaded them) where the packet is
// delivered (input), routed on (forward) or sent from (output); requests are new, replies established.
const FW = `
name: fw
networks:
  lan: { subnet: 10.40.0.0/24, gateway: 10.40.0.1 }
nodes:
  web:
    interfaces: { eth0: { network: lan, address: 10.40.0.10/24 } }
    firewall:
      input:
        policy: drop
        allow: [ { proto: tcp, dport: 8080 } ]
        rules: [ { action: reject, proto: tcp, dport: 22 } ]
  client:
    interfaces: { eth0: { network: lan, address: 10.40.0.20/24 } }
    firewall:
      output:
        policy: accept
        deny: [ { proto: udp, dport: 53 } ]
`;

test('firewall: ping to web stops at its input policy drop, after the hop that delivers it', () => {
  const r = run(FW, 'client', 'web', '10.40.0.10');
  assert.equal(r.ok, false);
  assert.equal(r.reply, undefined);
  assert.deepEqual(hops(r.request), ['client eth0 -> web']);
  assert.deepEqual({ ...r.request.stop, message: undefined }, { code: 'firewall', at: 'web', rule: 'policy', chain: 'input', message: undefined });
  assert.equal(
    r.request.stop?.message,
    "dropped by web's firewall: policy drop of chain input (icmp 10.40.0.20 -> 10.40.0.10, state new, in on eth0); " +
      'no rule of the chain accepts it; see `ip netns exec fw-web nft list chain inet nslab-fw input`',
  );
});

test('firewall: tcp 8080 is accepted both ways; tcp 22 is rejected by a named rule', () => {
  const ok = run(FW, 'client', 'web', '10.40.0.10', { probe: { kind: 'tcp', port: 8080 } });
  assert.equal(ok.ok, true, JSON.stringify(ok));
  assert.deepEqual(ok.probe, { kind: 'tcp', port: 8080 });
  const ssh = run(FW, 'client', 'web', '10.40.0.10', { probe: { kind: 'tcp', port: 22 } });
  assert.equal(ssh.request.stop?.code, 'firewall');
  assert.equal(ssh.request.stop?.rule, 'nslab:fw:input#1');
  assert.match(
    ssh.request.stop?.message ?? '',
    /^rejected by web's firewall: rule input#1 \(tcp dport 22\) rejects \(tcp 10\.40\.0\.20:49152 -> 10\.40\.0\.10:22, state new, in on eth0\); comment "nslab:fw:input#1" in /,
  );
});

test("firewall: web pings client and the established reply passes web's drop policy", () => {
  const r = run(FW, 'web', 'client', '10.40.0.20');
  assert.equal(r.ok, true, JSON.stringify(r));
});

test("firewall: the source's output chain stops the request before it leaves (no hop)", () => {
  const r = run(FW, 'client', 'web', '10.40.0.10', { probe: { kind: 'udp', port: 53 } });
  assert.equal(r.request.stop?.code, 'firewall');
  assert.equal(r.request.stop?.at, 'client');
  assert.equal(r.request.stop?.chain, 'output');
  assert.equal(r.request.hops.length, 0);
  assert.match(
    r.request.stop?.message ?? '',
    /^dropped by client's firewall: rule output#1 \(udp dport 53\) drops \(udp 10\.40\.0\.20:49152 -> 10\.40\.0\.10:53, state new, out eth0\)/,
  );
});

test("firewall: a router's forward chain names iif and oif; replies fail when established is off", () => {
  const yaml = ROUTED.replace(
    '    forwarding: true\n',
    `    forwarding: true
    firewall:
      forward:
        policy: accept
        established: false
        rules: [ { action: drop, iif: eth1, oif: eth0 } ]
`,
  );
  const r = run(yaml, 'h1', 'h2', '10.0.2.10');
  assert.equal(r.request.reached, true, JSON.stringify(r.request));
  assert.equal(r.reply?.stop?.code, 'firewall');
  assert.equal(r.reply?.stop?.at, 'r1');
  assert.equal(r.reply?.stop?.rule, 'nslab:routed:forward#1');
  assert.match(
    r.reply?.stop?.message ?? '',
    /rule forward#1 \(iif eth1 oif eth0\) drops \(icmp 10\.0\.2\.10 -> 10\.0\.1\.10, state established, in on eth1, out eth0\)/,
  );
  assert.deepEqual(hops(r.reply), ['h2 eth0 -> r1']);
  // h2 -> h1 is a new request in the same direction: dropped on the way there.
  assert.equal(run(yaml, 'h2', 'h1', '10.0.1.10').request.stop?.code, 'firewall');
});
