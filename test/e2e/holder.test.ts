// Namespace holders, end to end: an isolated node has its namespaces also when it runs no process
// (exec sees its hostname, its own /proc), they outlive the death of any one process, a second up
// restarts only what died, and down leaves no holder and nothing else behind.
import assert from 'node:assert/strict';
import { readlinkSync } from 'node:fs';
import { test } from 'node:test';
import { killByPid, labFile, leftoverSnapshot, nslab, nslabOk, processAlive, recordedProcesses, settlesTo, withSandbox } from './lab.js';

const NOPROC = `name: hold
networks:
  lan: { subnet: 10.91.0.0/24 }
nodes:
  a:
    isolate: [uts]
    hostname: second
    interfaces: { eth0: { network: lan } }
  b:
    isolate: [pid, mount, uts]
    interfaces: { eth0: { network: lan } }
  c:
    interfaces: { eth0: { network: lan } }
`;

test('isolate without processes: exec sees the hostname and the own /proc, down stops the holders and leaves nothing', (t) =>
  withSandbox(t, async (sb) => {
    const f = labFile(NOPROC);
    const pids: number[] = [];
    try {
      // (/run/netns stays a mount once a namespace was named, as `ip netns add` leaves it.)
      const before = await leftoverSnapshot(sb, undefined, { mounts: false });
      const hostName = (await sb.run(['hostname'])).stdout.trim();
      await nslabOk(sb, 'up', f.path);
      const holders = await recordedProcesses(sb, 'hold');
      pids.push(...holders.flatMap((p) => [p.pid, ...(p.outer ? [p.outer.pid] : [])]));
      assert.deepEqual(holders.map((h) => `${h.node}.${h.name}`).sort(), ['a.@holder', 'b.@holder']);
      assert.equal((await nslabOk(sb, 'exec', 'hold', 'a', '--', 'hostname')).trim(), 'second');
      assert.equal((await nslabOk(sb, 'exec', 'hold', 'b', '--', 'hostname')).trim(), 'b');
      assert.notEqual((await nslabOk(sb, 'exec', 'hold', 'c', '--', 'hostname')).trim(), 'second');
      assert.equal((await sb.run(['hostname'])).stdout.trim(), hostName, 'the host keeps its name');
      // b has its own pid namespace and /proc: only the holder (PID 1), its sleep and ps are seen.
      const ps = (await nslabOk(sb, 'exec', 'hold', 'b', '--', 'ps', '-e', '-o', 'pid=,comm='))
        .trim()
        .split('\n')
        .map((l) => l.trim());
      assert.match(ps[0] ?? '', /^1 sh$/);
      assert.ok(ps.length <= 3 && ps.every((r) => /^\d+ (sh|sleep|ps)$/.test(r)), ps.join('\n'));
      // a is not pid-isolated: its holder is a host process.
      const aPid = holders.find((h) => h.node === 'a')!.pid;
      assert.notEqual(readlinkSync(`/proc/${aPid}/ns/uts`), readlinkSync('/proc/self/ns/uts'));
      // A second up changes nothing.
      const again = JSON.parse(await nslabOk(sb, 'up', f.path, '--json')) as { processes: { started: string[] } };
      assert.deepEqual(again.processes.started, []);
      assert.deepEqual((await recordedProcesses(sb, 'hold')).map((p) => p.pid).sort(), holders.map((p) => p.pid).sort());
      await nslabOk(sb, 'down', 'hold');
      for (const pid of pids) assert.ok(!processAlive(pid), `PID ${pid} still exists after down`);
      await settlesTo(sb, before, 'after down', undefined, { mounts: false });
    } finally {
      killByPid(pids);
      await nslab(sb, 'down', 'hold');
      f.done();
    }
  }));

const TWO = `name: twod
networks:
  lan: { subnet: 10.92.0.0/24 }
nodes:
  r1:
    isolate: [pid, mount, uts]
    hostname: rtr
    interfaces: { eth0: { network: lan } }
    processes:
      - { name: zebra, command: [socat, "TCP-LISTEN:2601,fork,reuseaddr", "SYSTEM:true"], ready: { tcp: 2601 } }
      - { name: ospfd, command: [sleep, "300"] }
`;

test('the namespaces outlive a process: kill one, exec still enters them, up restarts only it in the same namespaces', (t) =>
  withSandbox(t, ['socat'], async (sb) => {
    const f = labFile(TWO);
    const pids: number[] = [];
    try {
      await nslabOk(sb, 'up', f.path);
      const procs = await recordedProcesses(sb, 'twod');
      pids.push(...procs.flatMap((p) => [p.pid, ...(p.outer ? [p.outer.pid] : [])]));
      const holder = procs.find((p) => p.name === '@holder')!;
      const zebra = procs.find((p) => p.name === 'zebra')!;
      const ospfd = procs.find((p) => p.name === 'ospfd')!;
      const pidns = (pid: number): string => readlinkSync(`/proc/${pid}/ns/pid_for_children`);
      assert.equal(readlinkSync(`/proc/${zebra.pid}/ns/pid`), pidns(holder.pid));
      assert.equal(readlinkSync(`/proc/${ospfd.pid}/ns/pid`), pidns(holder.pid));
      // zebra dies (this test started it, through nslab): the node's namespaces stay.
      killByPid([zebra.pid]);
      for (let i = 0; i < 100 && processAlive(zebra.pid); i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal((await nslabOk(sb, 'exec', 'twod', 'r1', '--', 'hostname')).trim(), 'rtr');
      assert.ok(processAlive(ospfd.pid), "ospfd survives the death of the node's first process");
      const r = JSON.parse(await nslabOk(sb, 'up', f.path, '--json')) as { processes: { started: string[]; unchanged: number } };
      assert.deepEqual(r.processes.started, ['r1.zebra']);
      assert.equal(r.processes.unchanged, 1);
      const now = await recordedProcesses(sb, 'twod');
      pids.push(...now.flatMap((p) => [p.pid, ...(p.outer ? [p.outer.pid] : [])]));
      const zebra2 = now.find((p) => p.name === 'zebra')!;
      assert.equal(readlinkSync(`/proc/${zebra2.pid}/ns/pid`), pidns(holder.pid), 'restarted in the same pid namespace');
      assert.equal(now.find((p) => p.name === 'ospfd')?.pid, ospfd.pid);
      await nslabOk(sb, 'down', 'twod');
      for (const pid of pids) assert.ok(!processAlive(pid), `PID ${pid} still exists after down`);
    } finally {
      killByPid(pids);
      await nslab(sb, 'down', 'twod');
      f.done();
    }
  }));
