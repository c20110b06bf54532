// `nslab run` and the containers example, end to end in a sandbox: an ad-hoc process is started
// like a declared one (log, journal record, joins an isolated node's namespaces), survives a
// second `up`, and `down` stops it; examples/containers.yaml is seed 000's Example 3.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { killByPid, labFile, nslab, nslabOk, processAlive, type RecordedProcess, recordedProcesses, withSandbox } from './lab.js';

const pidsOf = (ps: readonly RecordedProcess[]): number[] => ps.flatMap((p) => [p.pid, ...(p.outer ? [p.outer.pid] : [])]);

test('nslab run: an ad-hoc process is tracked like a declared one and stopped by down', (t) =>
  withSandbox(t, async (sb) => {
    const { path, done } = labFile(`name: adhoc
networks:
  lan: { subnet: 10.81.0.0/24 }
nodes:
  c1:
    isolate: [pid, mount, uts]
    interfaces: { eth0: { network: lan } }
    processes:
      - { name: init, command: [sleep, "300"] }
  c2:
    interfaces: { eth0: { network: lan } }
`);
    const pids: number[] = [];
    try {
      await nslabOk(sb, 'up', path);
      const out = (await nslabOk(sb, 'run', 'adhoc', 'c2', '--', 'sh', '-c', 'echo started; exec sleep 300')).trim();
      const m = /^(\S+) (\d+)$/.exec(out);
      assert.ok(m, `run printed ${out}`);
      assert.equal(m[1], 'sh');
      const pid = Number(m[2]);
      pids.push(pid);
      assert.ok(processAlive(pid));
      // inside c2's namespace
      const ns = await sb.run(['ip', 'netns', 'identify', String(pid)]);
      assert.equal(ns.stdout.trim(), 'adhoc-c2');
      const named = (await nslabOk(sb, 'run', 'adhoc', 'c1', '--name', 'extra', '--', 'sleep', '301')).trim();
      assert.match(named, /^extra \d+$/);
      const recs = await recordedProcesses(sb, 'adhoc');
      pids.push(...pidsOf(recs));
      assert.deepEqual(
        recs.map((r) => [r.node, r.name, r.adhoc ?? false]),
        [
          ['c1', '@holder', false],
          ['c1', 'init', false],
          ['c2', 'sh', true],
          ['c1', 'extra', true],
        ],
      );
      // the ad-hoc process in the isolated node shares its pid namespace with the declared one (and the holder, PID 1)
      const inside = await nslabOk(sb, 'exec', 'adhoc', 'c1', '--', 'ps', '-e', '-o', 'pid=,args=');
      assert.match(inside, /^\s*1 sh -c .* nslab-holder c1$/m);
      assert.match(inside, /^\s*\d+ sleep 300$/m);
      assert.match(inside, /sleep 301/);
      const log = await sb.run(['cat', '/run/nslab/adhoc/logs/c2.sh.log']);
      assert.match(log.stdout, /started/);
      // nslab logs finds it, by name and among the node's processes
      assert.match(await nslabOk(sb, 'logs', 'adhoc', 'c2', 'sh'), /started/);
      assert.match(await nslabOk(sb, 'logs', 'adhoc', 'c2'), /started/);
      const dup = await nslab(sb, 'run', 'adhoc', 'c1', '--name', 'extra', '--', 'sleep', '1');
      assert.equal(dup.code, 2, dup.stderr);
      const none = await nslab(sb, 'run', 'adhoc', 'nope', '--', 'sleep', '1');
      assert.equal(none.code, 2, none.stderr);
      // a second up leaves declared and ad-hoc processes running
      const again = JSON.parse(await nslabOk(sb, 'up', path, '--json')) as { processes: { started: string[]; stopped: string[] } };
      assert.deepEqual(again.processes.started, []);
      assert.deepEqual(again.processes.stopped, []);
      for (const p of pids) assert.ok(processAlive(p), `PID ${p} gone after a second up`);
      await nslabOk(sb, 'down', 'adhoc');
      for (const p of pids) assert.ok(!processAlive(p), `PID ${p} still exists after down`);
    } finally {
      killByPid(pids);
      await nslab(sb, 'down', 'adhoc');
      done();
    }
  }));
