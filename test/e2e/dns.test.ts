// Names that are not node names, end to end: every node gets /etc/netns/<netns>/resolv.conf, so
// a lookup never waits out glibc's 5 s timeouts on the host's resolvers. The sandbox "host" gets
// a resolv.conf of our own (bind-mounted inside the sandbox only) naming a documentation address,
// and an uplink into a namespace that swallows everything, as a host whose resolver a lab cannot
// reach would: without nslab's file each lookup there takes 10 s (two 5 s tries).
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { findCommand } from '../../src/kernel/proc.js';
import type { Sandbox } from '../helpers/sandbox.js';
import { killByPid, labFile, nslab, nslabOk, processAlive, recordedProcesses, withSandbox } from './lab.js';

const LAB = `name: dns
networks:
  out: { subnet: 10.84.0.0/24, gateway: 10.84.0.254, nat: true }
  priv: { subnet: 10.85.0.0/24, gateway: 10.85.0.254 }
nodes:
  a:
    interfaces: { eth0: { network: out } }
  b:
    interfaces: { eth0: { network: priv } }
  c:
    isolate: [pid, mount, uts]
    interfaces: { eth0: { network: priv } }
    processes:
      - { name: init, command: [sleep, "300"] }
`;

/** A host resolv.conf and an uplink that drops what it is sent (inside the sandbox only). */
async function blackholeHost(sb: Sandbox, resolvFile: string): Promise<void> {
  const sh = async (cmd: string): Promise<void> => {
    const r = await sb.run(['sh', '-c', cmd]);
    assert.equal(r.code, 0, `${cmd}: ${r.stderr}`);
  };
  await sh(`mount --bind ${resolvFile} /etc/resolv.conf`);
  await sh(
    'ip netns add blackhole && ip link add up0 type veth peer name up1 netns blackhole' +
      ' && ip addr add 203.0.113.1/24 dev up0 && ip link set up0 up' +
      ' && ip -n blackhole addr add 203.0.113.254/24 dev up1 && ip -n blackhole link set up1 up' +
      ' && ip route add default via 203.0.113.254',
  );
}

/** Milliseconds a command in a node takes, and its result. */
async function timed(sb: Sandbox, node: string, ...argv: string[]): Promise<{ ms: number; code: number | null; stdout: string }> {
  const t0 = Date.now();
  const r = await nslab(sb, 'exec', 'dns', node, '--', ...argv);
  return { ms: Date.now() - t0, code: r.code, stdout: r.stdout };
}

test("names that are not node names fail fast in a node that reaches no resolver, and use the host's through NAT", (t) =>
  withSandbox(t, async (sb) => {
    const f = labFile(LAB);
    const resolv = `${f.path}.resolv.conf`;
    writeFileSync(resolv, "# the host's\nnameserver 127.0.0.53\nnameserver 198.51.100.53\nsearch example.test\noptions ndots:2 timeout:5 edns0\n");
    const pids: number[] = [];
    try {
      await blackholeHost(sb, resolv);
      await nslabOk(sb, 'up', f.path);
      pids.push(...(await recordedProcesses(sb, 'dns')).flatMap((p) => [p.pid, ...(p.outer ? [p.outer.pid] : [])]));
      const conf = async (ns: string): Promise<string> => (await sb.run(['cat', `/etc/netns/${ns}/resolv.conf`])).stdout;
      // On a NAT network: the host's reachable servers, its search list and options, one 1 s try.
      const a = await conf('dns-a');
      assert.match(a, /^nameserver 198\.51\.100\.53$/m);
      assert.doesNotMatch(a, /127\.0\.0\.53/);
      assert.match(a, /^search example\.test$/m);
      assert.match(a, /^options ndots:2 edns0 timeout:1 attempts:1$/m);
      // Elsewhere: the node's own loopback, where nothing listens.
      assert.match(await conf('dns-b'), /^nameserver 127\.0\.0\.1\noptions timeout:1 attempts:1\n$/m);

      for (const node of ['b', 'c']) {
        const rev = await timed(sb, node, 'getent', 'hosts', '198.51.100.7');
        assert.equal(rev.code, 2, `getent in ${node} found ${rev.stdout}`);
        assert.ok(rev.ms < 2_000, `a reverse lookup in ${node} took ${rev.ms} ms`);
        const fwd = await timed(sb, node, 'getent', 'hosts', 'example.invalid');
        assert.equal(fwd.code, 2);
        assert.ok(fwd.ms < 2_000, `a lookup in ${node} took ${fwd.ms} ms`);
      }
      // Through NAT into the black hole: one try of one second, not two of five.
      const viaNat = await timed(sb, 'a', 'getent', 'hosts', '198.51.100.7');
      assert.equal(viaNat.code, 2);
      assert.ok(viaNat.ms < 4_000, `a reverse lookup through NAT took ${viaNat.ms} ms`);
      // Node names still come from the lab's hosts file, also in the isolated node.
      assert.match((await timed(sb, 'c', 'getent', 'hosts', 'b')).stdout, /^10\.85\.0\.\d+\s+b/);
      assert.match((await sb.run(['ip', 'netns', 'exec', 'dns-a', 'getent', 'hosts', 'c'])).stdout, /^10\.85\.0\.\d+\s+c/);

      await nslabOk(sb, 'down', 'dns');
      for (const p of pids) assert.ok(!processAlive(p), `PID ${p} still exists after down`);
      assert.equal((await sb.run(['ls', '-A', '/etc/netns'])).stdout.trim(), '', 'down leaves nothing in /etc/netns');
    } finally {
      killByPid(pids);
      await nslab(sb, 'down', 'dns');
      f.done();
    }
  }));

const python3 = findCommand('python3');

test('python3 -m http.server listens at once in a node (it looks up the host name first)', { skip: python3 ? false : 'python3 is not installed' }, (t) =>
  withSandbox(t, async (sb) => {
    const f = labFile(`name: pyweb
networks:
  priv: { subnet: 10.86.0.0/24, gateway: 10.86.0.254 }
nodes:
  w:
    interfaces: { eth0: { network: priv } }
    processes:
      - { name: http, command: [python3, -m, http.server, "8080"], ready: { tcp: 8080 }, ready_timeout: 20 }
`);
    const resolv = `${f.path}.resolv.conf`;
    writeFileSync(resolv, 'nameserver 198.51.100.53\n');
    const pids: number[] = [];
    try {
      await blackholeHost(sb, resolv);
      const t0 = Date.now();
      await nslabOk(sb, 'up', f.path);
      const ms = Date.now() - t0;
      pids.push(...(await recordedProcesses(sb, 'pyweb')).map((p) => p.pid));
      assert.ok(ms < 4_000, `up took ${ms} ms until http.server listened`);
      await nslabOk(sb, 'down', 'pyweb');
    } finally {
      killByPid(pids);
      await nslab(sb, 'down', 'pyweb');
      f.done();
    }
  }),
);
