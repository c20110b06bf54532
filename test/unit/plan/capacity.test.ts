// Whether a lab fits on a host: its needs (counted from the model) against host limits given as
// data. Each refusal and warning names what is needed, what there is, and how much is short.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  FD_MARGIN,
  KB_PER_NETNS,
  KB_PER_NETNS_PER_CPU,
  KB_PER_VETH,
  KB_PER_VETH_PER_CPU,
  checkCapacity,
  fdNeed,
  labNeeds,
  memoryNeedKb,
} from '../../../src/plan/capacity.js';
import type { HostView } from '../../../src/plan/capacity.js';
import { topo } from '../helpers.js';

/** n nodes on one network, plus a p2p pair and an adopted node. */
function lab(n: number): string {
  const hosts = Array.from({ length: n }, (_, i) => `  h${i}: { interfaces: { eth0: { network: lan } } }`);
  return `name: cap
networks:
  lan: { subnet: 10.0.0.0/16, gateway: 10.0.0.1 }
nodes:
${hosts.join('\n')}
  r1: { interfaces: { p: { peer: "r2:p", address: 10.9.0.1/30 } } }
  r2: { interfaces: { p: { peer: "r1:p", address: 10.9.0.2/30 } } }
  x: { netns_of: 4242, interfaces: { eth0: { host: true, address: 10.8.0.2/24 } } }
`;
}

const ROOMY: HostView = {
  openFiles: { soft: 1_000_000, hard: 1_000_000, inUse: 20 },
  memAvailableKb: 64 * 1024 * 1024,
  memSource: 'MemAvailable',
  cpus: 2,
  maxNetNamespaces: 100_000,
  namedNetns: 0,
  neigh: { cap: 1024, capKnown: true, entries: 0 },
};

test('needs: every node is opened, adopted and existing ones are not created, veths count once per pair', () => {
  const t = topo(lab(10));
  assert.deepEqual(labNeeds(t, new Set()), { namespaces: 13, newNamespaces: 12, newVeths: 12, neighbours: 24, processes: 0, logKb: 0 });
  // A re-up: h0..h9 exist already, so r1, r2 and their link are new, and x's veth (not attached yet).
  const existing = new Set(Array.from({ length: 10 }, (_, i) => `cap-h${i}`));
  assert.deepEqual(labNeeds(t, existing), { namespaces: 13, newNamespaces: 2, newVeths: 2, neighbours: 24, processes: 0, logKb: 0 });
  assert.deepEqual(labNeeds(t, new Set([...existing, 'cap-r1', 'cap-r2', 'cap-x'])), {
    namespaces: 13,
    newNamespaces: 0,
    newVeths: 0,
    neighbours: 24,
    processes: 0,
    logKb: 0,
  });
});

test('memory and descriptors follow the measured per-object costs', () => {
  const needs = { namespaces: 13, newNamespaces: 12, newVeths: 12, neighbours: 24, processes: 0, logKb: 0 };
  assert.equal(memoryNeedKb(needs, 4), 12 * (KB_PER_NETNS + 4 * KB_PER_NETNS_PER_CPU) + 12 * (KB_PER_VETH + 4 * KB_PER_VETH_PER_CPU));
  assert.equal(fdNeed(needs, 20), 20 + 2 * 14 + FD_MARGIN);
});

test('a lab that fits gives neither refusals nor warnings', () => {
  assert.deepEqual(checkCapacity('cap', labNeeds(topo(lab(10)), new Set()), ROOMY), { refusals: [], warnings: [] });
});

test('too few open files is refused with the need, the limit and the shortfall', () => {
  const needs = labNeeds(topo(lab(300)), new Set());
  const need = fdNeed(needs, 20);
  const host = { ...ROOMY, openFiles: { soft: 400, hard: 4096, inUse: 20 } };
  assert.deepEqual(checkCapacity('cap', needs, host).refusals, [
    `lab cap: needs about ${need} open files (2 for each of its 303 namespaces and the host's, 20 open already, ${FD_MARGIN} spare), but the limit is 400 (ulimit -n), ${need - 400} short: raise it with \`ulimit -n ${need}\` and run up again`,
  ]);
  const hardToo = checkCapacity('cap', needs, { ...ROOMY, openFiles: { soft: 400, hard: 400, inUse: 20 } }).refusals[0];
  assert.match(hardToo ?? '', /\(as root: the hard limit is 400\)/);
  // Exactly enough is enough.
  assert.deepEqual(checkCapacity('cap', needs, { ...ROOMY, openFiles: { soft: need, hard: need, inUse: 20 } }).refusals, []);
});

test('memory: over half of what is available warns, over all of it refuses, both with the numbers', () => {
  const needs = labNeeds(topo(lab(300)), new Set());
  const kb = memoryNeedKb(needs, 2);
  const warn = checkCapacity('cap', needs, { ...ROOMY, memAvailableKb: Math.ceil(kb * 1.5) });
  assert.deepEqual(warn.refusals, []);
  assert.match(
    warn.warnings[0] ?? '',
    /^lab cap: takes about \d+ MB of kernel memory for 302 namespaces and 302 veth pairs \(not counting its processes\), 67% of the \d+ MB available \(MemAvailable\)$/,
  );
  const refuse = checkCapacity('cap', needs, { ...ROOMY, memAvailableKb: 10 * 1024, memSource: 'cgroup memory.max' });
  assert.match(
    refuse.refusals[0] ?? '',
    /^lab cap: needs about \d+ MB .*, but only 10 MB is available \(cgroup memory\.max\), \d+ MB short: free memory or build a smaller lab$/,
  );
});

test('namespaces beyond user.max_net_namespaces are refused', () => {
  const needs = labNeeds(topo(lab(10)), new Set());
  const r = checkCapacity('cap', needs, { ...ROOMY, maxNetNamespaces: 15, namedNetns: 5 });
  assert.deepEqual(r.refusals, [
    'lab cap: needs 12 new network namespaces and 5 exist, but user.max_net_namespaces is 15, 2 short: raise it with `sysctl -w user.max_net_namespaces=17`',
  ]);
});

test('a neighbour table too small for the lab is a warning with the sysctl to raise it', () => {
  const needs = labNeeds(topo(lab(600)), new Set());
  const r = checkCapacity('cap', needs, { ...ROOMY, neigh: { cap: 1024, capKnown: false, entries: 100 } });
  assert.deepEqual(r.refusals, []);
  assert.deepEqual(r.warnings, [
    'lab cap: needs about 1204 neighbour (ARP/NDP) entries once every veth carries traffic, but the kernel\'s table, shared by all namespaces, has room for 924 (net.ipv4.neigh.default.gc_thresh3 cannot be read here and is assumed to be the default 1024, 100 in use), 280 short: packets will be dropped with "neighbour table overflow"; raise it in the initial namespace with `sysctl -w net.ipv4.neigh.default.gc_thresh3=1304`',
  ]);
});

test('the neighbour warning is said when the lab grows, not on every up of a lab already built', () => {
  const t = topo(lab(600));
  const all = new Set([...t.nodes.values()].map((n) => n.netns));
  const r = checkCapacity('cap', labNeeds(t, all), { ...ROOMY, neigh: { cap: 1024, capKnown: false, entries: 100 } });
  assert.deepEqual(r.warnings, []);
});

test('limits the host could not read are skipped, not guessed', () => {
  const needs = labNeeds(topo(lab(300)), new Set());
  const { openFiles: _f, memAvailableKb: _m, maxNetNamespaces: _n, ...blind } = ROOMY;
  assert.deepEqual(checkCapacity('cap', needs, blind), { refusals: [], warnings: [] });
});

/** Processes with log caps: one at the defaults, one at 1MiB keeping 3. */
const CHATTY = `name: cap
networks:
  lan: { subnet: 10.0.0.0/24 }
nodes:
  a:
    interfaces: { eth0: { network: lan } }
    processes:
      - { name: one, command: [yes] }
      - { name: two, command: [yes], log: { max: 1MiB, keep: 3 } }
`;

test("process logs count: each cap × (keep + 1), against the room on the state directory's tmpfs", () => {
  const needs = labNeeds(topo(CHATTY), new Set());
  assert.equal(needs.processes, 2);
  assert.equal(needs.logKb, 10 * 1024 * 2 + 1024 * 4);
  const fs = { path: '/run/nslab', availKb: 1024 * 1024, tmpfs: true };
  assert.deepEqual(checkCapacity('cap', needs, { ...ROOMY, stateFs: fs }), { refusals: [], warnings: [] });
  const tight = checkCapacity('cap', needs, { ...ROOMY, stateFs: { ...fs, availKb: 20 * 1024 } });
  assert.deepEqual(tight.refusals, [
    "lab cap: needs up to 24 MB of process logs (2 processes, each log: { max } × (keep + 1)), but only 20 MB is free on /run/nslab (tmpfs: RAM), 4 MB short: lower the processes' `log: { max: ..., keep: ... }` or free space",
  ]);
  // On a tmpfs, memory is the limit when there is less of it than free space.
  const ram = checkCapacity('cap', needs, { ...ROOMY, memAvailableKb: 40 * 1024, stateFs: fs });
  assert.deepEqual(ram.refusals, []);
  assert.match(
    ram.warnings.join('\n'),
    /may take up to 24 MB of process logs .*60% of the 40 MB of memory is available \(MemAvailable\) for \/run\/nslab \(tmpfs: RAM\)/,
  );
});
