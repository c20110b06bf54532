// Root tests of kernel/nft: scripts loaded through libnftables while switched into a namespace,
// checked from outside with the nft program and real traffic (ping, TCP connects) inside a
// throwaway sandbox that plays the host. 198.51.100.0/24 and 203.0.113.0/24 are "the internet".
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { renderDeleteTable, renderHostTable, renderNodeFirewall } from '../../src/nft/render.js';
import type { Firewall, FirewallRule } from '../../src/model/types.js';
import type { Sandbox } from '../helpers/sandbox.js';
import { eventually, inSandbox, pings, SANDBOX_ENV, sh } from './helpers.js';

const here = import.meta.dirname;
const NFT = pathToFileURL(join(here, '..', '..', 'src', 'kernel', 'nft', 'nft.js')).href;
const NETNS = pathToFileURL(join(here, '..', '..', 'src', 'kernel', 'netns.js')).href;
const DRIVER = pathToFileURL(join(here, 'fixtures', 'driver.js')).href;
const MARK = '@@nft-result@@';

/** One call of the nft API inside the sandbox; ns null means the sandbox's own namespace (the host). */
type Op =
  | { run: string | null; script: string }
  | { ruleset: string | null }
  | { tables: string | null }
  | { table: string | null; name: string }
  | { cli: boolean }
  | { bench: string[]; script: string };

// Runs in a Node process inside the sandbox; performs the ops in order, one result line at the end.
const DRIVE = `
const [nft, netns, drv] = await Promise.all([import(${JSON.stringify(NFT)}), import(${JSON.stringify(NETNS)}), import(${JSON.stringify(DRIVER)})]);
drv.assertInSandbox();
const home = netns.openCurrentNetns();
const fd = (ns) => (ns === null ? home : netns.openNetns(ns));
const out = [];
let cli = false;
for (const op of JSON.parse(process.argv[1])) {
  if ('cli' in op) { cli = op.cli; out.push(null); }
  else if ('run' in op) out.push(nft.nftRun(fd(op.run), home, op.script, cli));
  else if ('ruleset' in op) out.push(nft.nftListRuleset(fd(op.ruleset), home, cli));
  else if ('tables' in op) out.push(nft.nftTables(fd(op.tables), home, cli));
  else if ('table' in op) out.push(nft.nftListTable(fd(op.table), home, 'inet', op.name, cli) ?? null);
  else {
    const fds = op.bench.map(fd);
    const t0 = performance.now();
    const failed = fds.map((f) => nft.nftRun(f, home, op.script, cli)).filter((r) => !r.ok);
    out.push({ ms: performance.now() - t0, failed });
  }
}
console.log(${JSON.stringify(MARK)} + JSON.stringify(out));
`;

async function drive(sb: Sandbox, ops: readonly Op[]): Promise<unknown[]> {
  const r = await sb.node(['--input-type=module', '-e', DRIVE, JSON.stringify(ops)], { env: SANDBOX_ENV, timeoutMs: 60_000 });
  const line = r.stdout.split('\n').find((l) => l.startsWith(MARK));
  assert.ok(r.code === 0 && line, `nft driver failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
  return JSON.parse(line.slice(MARK.length)) as unknown[];
}

const span = { file: 't.yaml', line: 1, col: 1 } as unknown as FirewallRule['span'];
/** Input policy drop, only TCP 8080 (and replies) let in. */
const FW: Firewall = {
  input: { policy: 'drop', established: true, span, rules: [{ action: 'accept', proto: 'tcp', dport: [{ from: 8080, to: 8080 }], span }] },
};
const FW_SCRIPT = renderNodeFirewall({ lab: 't', fw: FW });

/** Start a TCP server (accept, close) on port in ns, in the background; returns its PID. */
async function listen(sb: Sandbox, ns: string, port: number): Promise<number> {
  const js = `require('net').createServer((s) => { s.on('error', () => {}); s.end(); }).listen(${port})`;
  const out = await sh(sb, 'sh', '-c', `ip netns exec ${ns} ${process.execPath} -e "${js}" >/dev/null 2>&1 & echo $!`);
  return Number(out.trim());
}

/** Whether a TCP connect from ns (or the sandbox host) to address:port completes within 3 s. */
async function connects(sb: Sandbox, ns: string | undefined, address: string, port: number): Promise<boolean> {
  const argv = ['timeout', '3', 'bash', '-c', `</dev/tcp/${address}/${port}`];
  const r = await sb.run(ns ? ['ip', 'netns', 'exec', ns, ...argv] : argv, { timeoutMs: 10_000 });
  return r.code === 0;
}

function kill(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

test('a node firewall loads into its own namespace, idempotently, leaving other tables byte for byte', (t) =>
  inSandbox(t, ['nft', 'libnftables'], async (sb) => {
    await sh(
      sb,
      'sh',
      '-c',
      'ip netns add n1 && ip netns exec n1 nft add table inet other && ip netns exec n1 nft "add chain inet other c { type filter hook input priority 10; }" && ip netns exec n1 nft add rule inet other c counter',
    );
    const before = await sh(sb, 'ip', 'netns', 'exec', 'n1', 'nft', 'list', 'ruleset');
    const other = await sh(sb, 'ip', 'netns', 'exec', 'n1', 'nft', 'list', 'table', 'inet', 'other');
    const [run1, rs1, run2, rs2, tables, hostTables, table] = await drive(sb, [
      { run: 'n1', script: FW_SCRIPT },
      { ruleset: 'n1' },
      { run: 'n1', script: FW_SCRIPT },
      { ruleset: 'n1' },
      { tables: 'n1' },
      { tables: null },
      { table: 'n1', name: 'nslab-t' },
    ]);
    assert.deepEqual([run1, run2], [{ ok: true }, { ok: true }]);
    assert.equal(rs2, rs1, 'loading twice gives the same ruleset');
    assert.deepEqual(tables, [
      { family: 'inet', name: 'other' },
      { family: 'inet', name: 'nslab-t' },
    ]);
    assert.deepEqual(hostTables, [], 'the socket was opened inside n1: nothing landed in the host');
    assert.match(String(table), /policy drop;[\s\S]*tcp dport 8080 accept comment "nslab:t:input#1"/);
    const json = JSON.parse(await sh(sb, 'ip', 'netns', 'exec', 'n1', 'nft', '-j', 'list', 'ruleset')) as { nftables: Array<{ rule?: { comment?: string } }> };
    assert.ok(
      json.nftables.some((e) => e.rule?.comment === 'nslab:t:input#1'),
      'nft -j in the namespace shows our rule',
    );
    assert.equal(await sh(sb, 'ip', 'netns', 'exec', 'n1', 'nft', 'list', 'table', 'inet', 'other'), other);
    const [del, del2, absent] = await drive(sb, [
      { run: 'n1', script: renderDeleteTable('t') },
      { run: 'n1', script: renderDeleteTable('t') },
      { table: 'n1', name: 'nslab-t' },
    ]);
    assert.deepEqual([del, del2, absent], [{ ok: true }, { ok: true }, null]);
    assert.equal(await sh(sb, 'ip', 'netns', 'exec', 'n1', 'nft', 'list', 'ruleset'), before, 'after delete: byte-identical to before');
  }));

test("without libnftables the nft program is run inside the namespace; errors carry nft's text", (t) =>
  inSandbox(t, ['nft'], async (sb) => {
    await sh(sb, 'ip', 'netns', 'add', 'n1');
    const [, ok, tables, bad, , bad2] = await drive(sb, [
      { cli: true },
      { run: 'n1', script: FW_SCRIPT },
      { tables: 'n1' },
      { run: 'n1', script: 'table inet x { chain fwd { } }' },
      { cli: false },
      { run: 'n1', script: 'table inet x { chain fwd { } }' },
    ]);
    assert.deepEqual(ok, { ok: true });
    assert.deepEqual(tables, [{ family: 'inet', name: 'nslab-t' }]);
    assert.match((bad as { message: string }).message, /syntax error/);
    assert.match((bad2 as { message: string }).message, /syntax error[\s\S]*fwd/, '"fwd" is a keyword, not a chain name');
    assert.equal(await sh(sb, 'nft', 'list', 'ruleset'), '', 'the host namespace got nothing');
  }));

test('a drop-policy input chain with tcp dport 8080 accept blocks ping but lets a TCP connect through', (t) =>
  inSandbox(t, ['libnftables', 'ping'], async (sb) => {
    await sh(
      sb,
      'sh',
      '-c',
      [
        'ip netns add n1',
        'ip link add v1 type veth peer name eth0 netns n1',
        'ip addr add 203.0.113.1/24 dev v1 && ip link set v1 up',
        'ip -n n1 addr add 203.0.113.2/24 dev eth0 && ip -n n1 link set eth0 up && ip -n n1 link set lo up',
      ].join(' && '),
    );
    const pids = [await listen(sb, 'n1', 8080), await listen(sb, 'n1', 9090)];
    try {
      // Both listeners are separate node processes: under load either may be the slower to listen.
      assert.ok(await eventually(() => connects(sb, undefined, '203.0.113.2', 8080), 10_000), 'listener 8080 up');
      assert.ok(await eventually(() => connects(sb, undefined, '203.0.113.2', 9090), 10_000), 'listener 9090 up');
      assert.ok(await pings(sb, undefined, '203.0.113.2'), 'ping works before the firewall');
      assert.deepEqual(await drive(sb, [{ run: 'n1', script: FW_SCRIPT }]), [{ ok: true }]);
      assert.equal(await pings(sb, undefined, '203.0.113.2'), false, 'ping is dropped');
      assert.equal(await connects(sb, undefined, '203.0.113.2', 9090), false, 'other ports are dropped');
      assert.ok(await connects(sb, undefined, '203.0.113.2', 8080), 'tcp 8080 is let in, and its replies out');
    } finally {
      kill(pids);
    }
  }));

/**
 * The sandbox host: bridge lab-br 172.20.0.1/24 with nodes a (.2) and b (.3), default routes via
 * the bridge; upstream namespace "up" at 198.51.100.1/24 on a veth to the host (198.51.100.2/24),
 * with no route back to 172.20.0.0/24.
 */
async function natLab(sb: Sandbox): Promise<void> {
  const node = (n: string, ip: string): string[] => [
    `ip netns add ${n}`,
    `ip link add v-${n} type veth peer name eth0 netns ${n}`,
    `ip link set v-${n} master lab-br up`,
    `ip -n ${n} addr add ${ip}/24 dev eth0`,
    `ip -n ${n} link set eth0 up`,
    `ip -n ${n} link set lo up`,
    `ip -n ${n} route add default via 172.20.0.1`,
  ];
  await sh(
    sb,
    'sh',
    '-c',
    [
      'ip link add lab-br type bridge && ip addr add 172.20.0.1/24 dev lab-br && ip link set lab-br up',
      ...node('a', '172.20.0.2'),
      ...node('b', '172.20.0.3'),
      'ip netns add up',
      'ip link add v-up type veth peer name eth0 netns up',
      'ip addr add 198.51.100.2/24 dev v-up && ip link set v-up up',
      'ip -n up addr add 198.51.100.1/24 dev eth0 && ip -n up link set eth0 up && ip -n up link set lo up',
      'sysctl -qw net.ipv4.ip_forward=1',
    ].join(' && '),
  );
}

const HOST_SCRIPT = renderHostTable({
  lab: 't',
  nat: [{ network: 'lan', bridge: 'lab-br', subnets: ['172.20.0.0/24'] }],
  publish: [{ node: 'b', bridge: 'lab-br', hostPort: 8080, nodePort: 80, proto: 'tcp', nodeAddress: '172.20.0.3', subnet: '172.20.0.0/24' }],
});

test('the host table masquerades a NAT network and publishes a port to the host, outside and other nodes', (t) =>
  inSandbox(t, ['nft', 'libnftables', 'ping'], async (sb) => {
    await natLab(sb);
    await sh(
      sb,
      'nft',
      `add table ip user; add chain ip user c { type filter hook forward priority 5; }; add rule ip user c ip saddr 192.0.2.99 accept comment "the user's own"`,
    );
    const before = await sh(sb, 'nft', 'list', 'ruleset');
    const pid = await listen(sb, 'b', 80);
    try {
      assert.ok(await eventually(() => connects(sb, 'a', '172.20.0.3', 80), 10_000), 'listener up');
      assert.equal(await pings(sb, 'a', '198.51.100.1'), false, 'no NAT yet: upstream has no route back');
      assert.equal(await connects(sb, 'up', '198.51.100.2', 8080), false, 'not published yet');
      assert.deepEqual(
        await drive(sb, [
          { run: null, script: HOST_SCRIPT },
          { run: null, script: HOST_SCRIPT },
        ]),
        [{ ok: true }, { ok: true }],
      );
      assert.ok(await pings(sb, 'a', '198.51.100.1'), 'masqueraded to the upstream');
      assert.ok(await connects(sb, undefined, '198.51.100.2', 8080), 'from the host itself, to its own address');
      assert.ok(await connects(sb, 'up', '198.51.100.2', 8080), 'from outside the host');
      assert.ok(await connects(sb, 'a', '172.20.0.1', 8080), 'hairpin: another node through the gateway address');
      assert.ok(await connects(sb, 'a', '198.51.100.2', 8080), 'hairpin: another node through the outside address');
      assert.deepEqual(await drive(sb, [{ run: null, script: renderDeleteTable('t') }]), [{ ok: true }]);
      assert.equal(await sh(sb, 'nft', 'list', 'ruleset'), before, 'host ruleset after delete is byte-identical to before');
      assert.equal(await connects(sb, 'up', '198.51.100.2', 8080), false, 'no longer published');
    } finally {
      kill([pid]);
    }
  }));

test('applying a firewall to 100 namespaces, one libnftables run each', (t) =>
  inSandbox(t, ['libnftables'], async (sb) => {
    const names = Array.from({ length: 100 }, (_, i) => `n${i}`);
    await sb.run(['ip', '-batch', '-'], { input: names.map((n) => `netns add ${n}\n`).join('') });
    const [first, again] = (await drive(sb, [
      { bench: names, script: FW_SCRIPT },
      { bench: names, script: FW_SCRIPT },
    ])) as Array<{ ms: number; failed: unknown[] }>;
    assert.deepEqual(first?.failed, []);
    assert.deepEqual(again?.failed, []);
    t.diagnostic(`100 namespaces: first load ${first?.ms.toFixed(1)} ms, reload ${again?.ms.toFixed(1)} ms`);
  }));
