// A lab over machines, without root: placement (explicit, automatic, balanced, networks kept
// together), each machine's part and its tunnels, the MTU rule, the checks, and the plan of a
// part (vxlan port, master, one FDB entry per remote machine) on the fake kernel and back down.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadTopology } from '../../../src/model/load.js';
import { machinePart } from '../../../src/model/machine-part.js';
import { networkVnis } from '../../../src/model/machines.js';
import { formatIssue } from '../../../src/topology/issues.js';
import { desiredResources } from '../../../src/plan/resources.js';
import { planLab } from '../../../src/plan/diff.js';
import { HOST_NS } from '../../../src/port/kernel.js';
import { topo } from '../helpers.js';
import { FakeKernel } from '../../helpers/fake-kernel.js';
import { removalSteps } from '../../../src/plan/removals.js';
import { graphOf } from '../../../src/graph/model.js';
import { readLive } from '../../../src/live/snapshot.js';
import { liveQueryOf } from '../../../src/plan/resources.js';

const LAB = `
name: mh
machines:
  m1: { address: 192.0.2.1 }
  m2: { address: 192.0.2.2, mtu: 9000, dev: eth1 }
networks:
  lan: { subnet: 10.20.0.0/24, gateway: 10.20.0.1, nat: true }
  dmz: { subnet: 10.21.0.0/24, vni: 77 }
nodes:
  a: { machine: m2, interfaces: { eth0: { network: lan } } }
  b: { machine: m1, interfaces: { eth0: { network: lan } } }
  c: { interfaces: { eth0: { network: lan } } }
  d: { interfaces: { eth0: { network: dmz } } }
  e: { interfaces: { eth0: { network: dmz }, p: { peer: "f:p" } } }
  f: { interfaces: { p: { peer: "e:p" } } }
`;

function errors(text: string): string[] {
  return loadTopology(text, 'f.yaml')
    .issues.filter((i) => i.severity === 'error')
    .map(formatIssue);
}

test('placement: pinned nodes stay, the rest fill the machines evenly, networks kept together, peers never split', () => {
  const t = topo(LAB);
  assert.equal(t.placement?.get('a'), 'm2');
  assert.equal(t.placement?.get('b'), 'm1');
  assert.deepEqual([...(t.placement?.keys() ?? [])].sort(), ['a', 'b', 'c', 'd', 'e', 'f'], 'every node placed');
  assert.equal(t.placement?.get('e'), t.placement?.get('f'), 'a point-to-point pair stays on one machine');
  // c shares lan with a (m2) and b (m1): the first declared machine with room wins the tie.
  assert.equal(t.placement?.get('c'), 'm1');
  // The same file, the same placement: every machine derives it alone.
  assert.deepEqual([...(topo(LAB).placement ?? [])], [...(t.placement ?? [])]);
});

test('a file without machines has no placement, no VNIs and no part', () => {
  const t = topo('name: one\nnetworks: { lan: { subnet: 10.0.0.0/24 } }\nnodes: { a: { interfaces: { eth0: { network: lan } } } }\n');
  assert.equal(t.machines, undefined);
  assert.equal(t.placement, undefined);
  assert.equal(t.networks.get('lan')?.vni, undefined);
});

test('VNIs: an explicit vni is kept, the others are derived from the lab and network names and never collide', () => {
  const t = topo(LAB);
  assert.equal(t.networks.get('dmz')?.vni, 77);
  const lan = t.networks.get('lan')?.vni ?? 0;
  assert.ok(lan >= 1 && lan <= 0xffffff);
  assert.equal(topo(LAB.replace('name: mh', 'name: mh2')).networks.get('lan')?.vni === lan, false, 'another lab, another VNI');
  const raw = {
    networks: new Map([
      ['x', { name: 'x', vni: { value: 5, span: t.networks.get('lan')!.span } }],
      ['y', { name: 'y' }],
    ]),
  };
  const vnis = networkVnis(raw as never, 'mh');
  assert.notEqual(vnis.get('y'), vnis.get('x'));
});

test("a machine's part: its nodes and links, its networks, the gateway and NAT only at the network's home, a tunnel per shared network", () => {
  const t = topo(LAB);
  const home = t.placement?.get('b') === 'm1' && t.placement?.get('c') === 'm1' ? 'm1' : 'm2';
  for (const m of ['m1', 'm2']) {
    const part = machinePart(t, m);
    assert.deepEqual(
      [...part.nodes.keys()].sort(),
      [...(t.placement ?? [])]
        .filter(([, x]) => x === m)
        .map(([n]) => n)
        .sort(),
    );
    const lan = part.networks.get('lan');
    assert.ok(lan, 'lan has nodes on both machines');
    assert.deepEqual(lan.gateways.length > 0, m === home);
    assert.equal(lan.nat, m === home);
    const tunnel = part.part?.tunnels.find((x) => x.network === 'lan');
    assert.ok(tunnel);
    assert.deepEqual(tunnel.remotes, [m === 'm1' ? '192.0.2.2' : '192.0.2.1']);
    assert.equal(tunnel.mtu, 1450, 'the smaller underlay MTU (1500) less 50');
    assert.equal(tunnel.dev, m === 'm2' ? 'eth1' : undefined);
    for (const n of part.nodes.values()) {
      const eth0 = n.interfaces.get('eth0');
      if (
        part.part?.tunnels.some((x) => n.interfaces.get('eth0') && x.network === 'lan') &&
        t.links.find((l) => l.id === eth0?.link && l.kind === 'bridged' && l.network === 'lan')
      ) {
        assert.equal(eth0?.mtu, 1450);
      }
      if (eth0) assert.match(eth0.mac ?? '', /^02(:[0-9a-f]{2}){5}$/);
    }
  }
  assert.equal(
    machinePart(t, 'm1').nodes.get('b')?.interfaces.get('eth0')?.mac,
    machinePart(t, 'm1').nodes.get('b')?.interfaces.get('eth0')?.mac,
    'a stable MAC',
  );
});

test("a part's plan: a vxlan port made with the bridges, enslaved, one FDB entry per remote; applied to the fake kernel and taken down", () => {
  const t = topo(LAB);
  const part = machinePart(t, 'm1');
  const desired = desiredResources(part);
  const tunnel = part.part!.tunnels.find((x) => x.network === 'lan')!;
  const create = desired.find((r) => r.op.op === 'link.create' && r.op.kind === 'vxlan' && r.op.name === tunnel.device);
  assert.ok(create);
  assert.deepEqual(
    desired.filter((r) => r.op.op === 'fdb.append').map((r) => r.op),
    part.part!.tunnels.flatMap((x) => x.remotes.map((dst) => ({ op: 'fdb.append', ns: HOST_NS, dev: x.device, dst }))),
  );
  assert.ok(desired.some((r) => r.op.op === 'link.set' && r.op.name === tunnel.device && r.op.master === part.networks.get('lan')?.bridge));
  const empty = { netns: new Set<string>(), spaces: new Map(), sysctls: new Map(), tables: new Map(), sharedPrev: new Map(), qdiscs: new Map() };
  const plan = planLab({ topology: part, live: empty as never, owned: new Map(), desired });
  assert.ok(
    plan.steps.findIndex((s) => s.op.op === 'fdb.append') >
      plan.steps.findIndex((s) => s === plan.steps.find((x) => x.op.op === 'link.create' && x.op.kind === 'vxlan')),
  );
  const k = new FakeKernel();
  const results = k.run(plan.steps.map((s) => s.op));
  assert.deepEqual(
    results.filter((r) => !r.ok),
    [],
  );
  assert.deepEqual(k.fdbOf(HOST_NS, tunnel.device), ['192.0.2.2']);
  // Teardown: the inverse of every owned record, FDB entries before their link (or with it).
  const owned = new Map(plan.steps.filter((s) => s.journal === 'own').map((s) => [s.id, { id: s.id, op: s.op }] as const));
  const down = removalSteps(owned as never, () => false);
  assert.deepEqual(
    k.run(down.map((s) => s.op)).filter((r) => !r.ok),
    [],
  );
  assert.equal(k.fdbOf(HOST_NS, tunnel.device), undefined, 'the tunnel is gone');
});

test('validate: a node on an unknown machine, an underlay address inside a lab subnet, two networks with one vni; a peer link between machines is a pair, its mtu and shaping checked', () => {
  const bad = LAB.replace('a: { machine: m2,', 'a: { machine: m9,')
    .replace('address: 192.0.2.2, mtu', 'address: 10.20.0.7, mtu')
    .replace('vni: 77', 'vni: 77 }\n  x: { subnet: 10.30.0.0/24, vni: 77')
    .replace('f: { interfaces', 'f: { machine: m2, interfaces')
    .replace('e: { interfaces', 'e: { machine: m1, interfaces');
  const got = errors(bad).join('\n');
  assert.match(got, /node 'a' is placed on unknown machine 'm9'; the machines are 'm1', 'm2'/);
  assert.match(got, /underlay address 10\.20\.0\.7 is inside subnet 10\.20\.0\.0\/24 of network 'lan'/);
  assert.match(got, /network 'x' has vni 77, as network 'dmz' has/);
  assert.doesNotMatch(got, /point-to-point/, 'a peer link between machines is a VXLAN pair');
  const pinned = LAB.replace('f: { interfaces', 'f: { machine: m2, interfaces').replace('e: { interfaces', 'e: { machine: m1, interfaces');
  assert.deepEqual(errors(pinned), []);
  assert.match(
    errors(pinned.replace('p: { peer: "e:p" }', 'p: { peer: "e:p", mtu: 1500 }')).join('\n'),
    /interface 'f:p': mtu 1500 is more than the link between machines 'm2' and 'm1' can carry \(1450/,
  );
  assert.match(
    errors(pinned.replace('p: { peer: "e:p" }', 'p: { peer: "e:p", delay: 5ms }')).join('\n'),
    /interface 'f:p': link properties on a point-to-point link between machines 'm2' and 'm1' are not supported/,
  );
  assert.match(errors('name: t\nnodes: { a: { machine: m1 } }\n').join('\n'), /unknown machine 'm1'; the file has no `machines:`/);
  assert.match(
    errors(
      LAB.replace('a: { machine: m2, interfaces: { eth0: { network: lan } } }', 'a: { machine: m2, interfaces: { eth0: { network: lan, mtu: 1500 } } }'),
    ).join('\n'),
    /mtu 1500 is more than network 'lan' can carry between machines \(1450/,
  );
});

const PAIR = `
name: pp
machines:
  m1: { address: 192.0.2.1 }
  m2: { address: 192.0.2.2, mtu: 1400 }
networks:
  lan: { subnet: 10.20.0.0/24 }
nodes:
  a: { machine: m1, interfaces: { eth0: { network: lan }, p: { peer: "b:p", address: 10.9.0.1/30 } }, routes: [ { to: 10.8.0.0/16, via: 10.9.0.2 } ] }
  b: { machine: m2, interfaces: { eth0: { network: lan }, p: { peer: "a:p", address: 10.9.0.2/30 } } }
`;

test('a peer link between machines: each machine builds its end as a vxlan in the node namespace, to the other machine, one VNI for both', () => {
  const t = topo(PAIR);
  const [p1, p2] = [machinePart(t, 'm1'), machinePart(t, 'm2')];
  const e1 = p1.part!.pairs;
  const e2 = p2.part!.pairs;
  assert.equal(e1.length, 1);
  assert.equal(e2.length, 1);
  assert.deepEqual([e1[0]!.node, e1[0]!.local, e1[0]!.remote], ['a', '192.0.2.1', '192.0.2.2']);
  assert.deepEqual([e2[0]!.node, e2[0]!.local, e2[0]!.remote], ['b', '192.0.2.2', '192.0.2.1']);
  assert.equal(e1[0]!.vni, e2[0]!.vni, 'both machines derive the same VNI');
  assert.notEqual(e1[0]!.vni, t.networks.get('lan')?.vni, 'not a network VNI');
  assert.equal(e1[0]!.mtu, 1350, 'the smaller underlay MTU less 50');
  assert.equal(p1.nodes.get('a')?.interfaces.get('p')?.mtu, 1350);
  // A network whose derived VNI would be the link's moves the link on, alike on both machines.
  const clash = topo(PAIR.replace('lan: { subnet: 10.20.0.0/24 }', `lan: { subnet: 10.20.0.0/24, vni: ${e1[0]!.vni} }`));
  assert.notEqual(machinePart(clash, 'm1').part!.pairs[0]!.vni, e1[0]!.vni);
  assert.equal(machinePart(clash, 'm1').part!.pairs[0]!.vni, machinePart(clash, 'm2').part!.pairs[0]!.vni);
  const create = desiredResources(p1).find((r) => r.op.op === 'link.create' && r.op.ns === 'pp-a' && r.op.name === 'p');
  assert.deepEqual(create?.op, {
    op: 'link.create',
    kind: 'vxlan',
    ns: 'pp-a',
    name: 'p',
    vni: e1[0]!.vni,
    port: 4789,
    local: '192.0.2.1',
    remote: '192.0.2.2',
    underlay: HOST_NS,
    mac: p1.nodes.get('a')?.interfaces.get('p')?.mac,
    mtu: 1350,
    ipv6: false,
    up: true,
  });
});

test('a pair end on the fake kernel: built in the node namespace, an unchanged lab plans nothing, a changed end is made anew, down removes it', () => {
  const k = new FakeKernel();
  const part = machinePart(topo(PAIR), 'm1');
  const plan = (p: typeof part, owned: Map<string, { id: string; op: never }>) =>
    planLab({ topology: p, live: readLive(k, liveQueryOf(p, owned as never)), owned: owned as never });
  const owned = new Map<string, { id: string; op: never }>();
  const first = plan(part, owned);
  assert.deepEqual(first.conflicts, []);
  assert.deepEqual(
    k.run(first.steps.map((s) => s.op)).filter((r) => !r.ok),
    [],
  );
  for (const s of first.steps) if (s.journal === 'own') owned.set(s.id, { id: s.id, op: s.op as never });
  const end = k.snapshot('pp-a')?.links.find((l) => l.name === 'p');
  assert.equal(end?.kind, 'vxlan');
  assert.deepEqual(end?.vxlan, { vni: part.part!.pairs[0]!.vni, local: '192.0.2.1', remote: '192.0.2.2' });
  assert.ok(k.snapshot('pp-a')?.addrs.some((a) => a.dev === 'p' && a.cidr === '10.9.0.1/30'));
  assert.equal(
    k.snapshot(HOST_NS)?.links.some((l) => l.name === 'p'),
    false,
    'nothing of it in the host namespace',
  );
  assert.deepEqual(plan(part, owned).steps, [], 'an unchanged lab plans nothing');
  // The other machine moved: the end is deleted and made anew, with its address and route.
  const moved = machinePart(topo(PAIR.replace('192.0.2.2, mtu', '192.0.2.3, mtu')), 'm1');
  const again = plan(moved, owned);
  assert.deepEqual(
    again.steps.map((s) => `${s.op.op} ${'name' in s.op ? s.op.name : 'dev' in s.op ? s.op.dev : ''}`).filter((x) => !/eth0|lo|fdb/.test(x)),
    ['link.delete p', 'link.create p', 'addr.add p', 'route.add '],
  );
  assert.deepEqual(
    k.run(again.steps.map((s) => s.op)).filter((r) => !r.ok),
    [],
  );
  for (const s of again.steps) {
    if (s.journal === 'own') owned.set(s.id, { id: s.id, op: s.op as never });
    if (s.journal === 'drop') owned.delete(s.id);
  }
  assert.equal(k.snapshot('pp-a')?.links.find((l) => l.name === 'p')?.vxlan?.remote, '192.0.2.3');
  assert.deepEqual(plan(moved, owned).steps, []);
  const down = removalSteps(owned as never, () => false);
  assert.deepEqual(
    k.run(down.map((s) => s.op)).filter((r) => !r.ok),
    [],
  );
  assert.equal(k.snapshot('pp-a'), undefined, 'the node namespace, and its end with it, is gone');
});

test("graph: a node of a lab over machines says its machine, a network spread over machines its tunnel's VNI and machines", () => {
  const t = topo(LAB);
  const g = graphOf(t);
  const note = (id: string): readonly string[] => g.vertices.find((v) => v.id === id)?.notes ?? [];
  assert.ok(note('node:a').includes('on m2'));
  assert.ok(note('net:lan').includes(`vxlan ${t.networks.get('lan')?.vni}: m1 m2`));
  assert.ok(!graphOf(topo('name: one\nnodes: { a: {} }\n')).vertices.some((v) => v.notes.some((n) => n.startsWith('on '))));
});
