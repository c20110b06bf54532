// Processes in nodes, end to end: an isolated node's processes share a pid namespace (its holder
// is PID 1, `ps` inside shows only them), a mount namespace with its own /proc and a uts namespace
// with the declared hostname; output goes to the log; `down` leaves none of their PIDs behind,
// also when the `up` that started them was killed; a process that exits at once fails `up`.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { killByPid, labFile, nslab, nslabOk, processAlive, recordedProcesses, withSandbox } from './lab.js';

const LAB = `name: procs
networks:
  lan: { subnet: 10.77.0.0/24 }
nodes:
  c1:
    isolate: [pid, mount, uts]
    hostname: box1
    interfaces: { eth0: { network: lan } }
    processes:
      - { name: sleeper, command: [sleep, "300"] }
      - { name: talker, command: [sh, -c, "echo hello; sleep 300"] }
  c2:
    interfaces: { eth0: { network: lan } }
`;

test('isolated node: shared pid/mount/uts namespaces, PID 1, hostname, logs; down stops every process', (t) =>
  withSandbox(t, async (sb) => {
    const f = labFile(LAB);
    const pids: number[] = [];
    try {
      await nslabOk(sb, 'up', f.path);
      const procs = await recordedProcesses(sb, 'procs');
      pids.push(...procs.flatMap((p) => [p.pid, ...(p.outer ? [p.outer.pid] : [])]));
      assert.deepEqual(
        procs.map((p) => p.name),
        ['@holder', 'sleeper', 'talker'],
      );
      const first = procs[0]!.pid;
      const ps = await sb.run(['nsenter', '-t', String(first), '-n', '-p', '-m', '-u', 'ps', '-e', '-o', 'pid=,args=']);
      assert.equal(ps.code, 0, ps.stderr);
      const rows = ps.stdout
        .trim()
        .split('\n')
        .map((l) => l.trim());
      assert.match(rows[0] ?? '', /^1 sh -c .* nslab-holder box1$/);
      assert.ok(
        rows.some((r) => /sh -c echo hello; sleep 300/.test(r)),
        ps.stdout,
      );
      assert.ok(
        rows.every((r) => /sleep 300|ps -e|nslab-holder|sleep 2147483647/.test(r)),
        `foreign processes visible:\n${ps.stdout}`,
      );
      const host = await sb.run(['nsenter', '-t', String(first), '-u', 'hostname']);
      assert.equal(host.stdout.trim(), 'box1');
      // nslab exec enters the node's pid/mount/uts namespaces too
      assert.equal((await nslabOk(sb, 'exec', 'procs', 'c1', '--', 'hostname')).trim(), 'box1');
      const inside = (await nslabOk(sb, 'exec', 'procs', 'c1', '--', 'ps', '-e', '-o', 'pid=')).trim().split(/\s+/).map(Number);
      assert.ok(inside.includes(1) && inside.every((p) => p < 100), `exec did not enter the pid namespace: ${inside.join(' ')}`);
      const other = await nslabOk(sb, 'exec', 'procs', 'c2', '--', 'hostname');
      assert.notEqual(other.trim(), 'box1');
      const log = await sb.run(['cat', '/run/nslab/procs/logs/c1.talker.log']);
      assert.match(log.stdout, /hello/);

      // a second up with nothing changed starts nothing
      const again = JSON.parse(await nslabOk(sb, 'up', f.path, '--json')) as { processes: { started: string[]; unchanged: number } };
      assert.deepEqual(again.processes.started, []);
      assert.equal(again.processes.unchanged, 2);

      await nslabOk(sb, 'down', 'procs');
      for (const pid of pids) assert.ok(!processAlive(pid), `PID ${pid} still exists after down`);
    } finally {
      killByPid(pids);
      await nslab(sb, 'down', 'procs');
      f.done();
    }
  }));

test('down stops processes whose nslab up was killed; a process that exits at once fails up with its log tail', (t) =>
  withSandbox(t, async (sb) => {
    const f = labFile(LAB.replace('name: procs', 'name: procs2'));
    const bad = labFile(`name: bad
networks:
  lan: { subnet: 10.78.0.0/24 }
nodes:
  b1:
    interfaces: { eth0: { network: lan } }
    processes:
      - { name: oops, command: [sh, -c, "echo about to fail >&2; exit 3"] }
`);
    const pids: number[] = [];
    try {
      // up in the background, killed with SIGKILL once it has started the processes
      const upRun = sb.run(
        [
          'sh',
          '-c',
          `node ${JSON.stringify(join(import.meta.dirname, '..', '..', '..', 'bin', 'nslab'))} up ${f.path} & p=$!; for i in $(seq 1 200); do grep -q talker /run/nslab/procs2/journal.jsonl 2>/dev/null && break; sleep 0.05; done; kill -9 $p; wait $p; true`,
        ],
        { timeoutMs: 60_000 },
      );
      await upRun;
      const procs = await recordedProcesses(sb, 'procs2');
      pids.push(...procs.flatMap((p) => [p.pid, ...(p.outer ? [p.outer.pid] : [])]));
      assert.ok(procs.length >= 1 && procs.every((p) => processAlive(p.pid)), JSON.stringify(procs));
      await nslabOk(sb, 'down', 'procs2');
      for (const pid of pids) assert.ok(!processAlive(pid), `PID ${pid} still exists after down`);

      const r = await nslab(sb, 'up', bad.path);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stderr, /process b1\.oops .*exited with status 3/);
      assert.match(r.stderr, /about to fail/);
      await nslabOk(sb, 'down', 'bad');
    } finally {
      killByPid(pids);
      await nslab(sb, 'down', 'procs2');
      f.done();
      bad.done();
    }
  }));

test('ready: { tcp } makes up wait until the port accepts; a port that never opens fails up after the timeout', (t) =>
  withSandbox(t, ['socat'], async (sb) => {
    const f = labFile(`name: ready
networks:
  lan: { subnet: 10.79.0.0/24 }
nodes:
  s1:
    interfaces: { eth0: { network: lan } }
    processes:
      - { name: srv, command: [sh, -c, "sleep 1; exec socat TCP-LISTEN:8080,fork,reuseaddr EXEC:/bin/cat"], ready: { tcp: 8080 } }
  s2:
    interfaces: { eth0: { network: lan } }
expect:
  - { from: s2, to: s1, tcp: 8080 }
`);
    const never = labFile(`name: never
networks:
  lan: { subnet: 10.80.0.0/24 }
nodes:
  n1:
    interfaces: { eth0: { network: lan } }
    processes:
      - { name: mute, command: [sh, -c, "echo waiting; sleep 300"], ready: { tcp: 9999 }, ready_timeout: 1 }
`);
    try {
      const t0 = Date.now();
      await nslabOk(sb, 'up', f.path);
      assert.ok(Date.now() - t0 >= 1000, 'up returned before the port could be open');
      await nslabOk(sb, 'test', 'ready', '--attempts', '1');
      const r = await nslab(sb, 'up', never.path);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stderr, /n1\.mute .*was not ready after 1 s \(ready: \{ tcp: 9999 \}: nothing accepted a connection\); stopped it;[\s\S]*waiting/);
      const procs = await recordedProcesses(sb, 'never');
      await nslabOk(sb, 'down', 'never');
      for (const p of procs) assert.ok(!processAlive(p.pid), `PID ${p.pid} still exists after down`);
      await nslabOk(sb, 'down', 'ready');
    } finally {
      await nslab(sb, 'down', 'ready');
      await nslab(sb, 'down', 'never');
      f.done();
      never.done();
    }
  }));

test('a process that fails its ready check is stopped, the lab is partial, and the next up starts it again', (t) =>
  withSandbox(t, async (sb) => {
    // The process listens only once the flag file exists; until then it prints and sleeps.
    const flag = '/run/nslab-e2e-listen';
    // (nslab's ready probe resets its connection: a listener must survive that)
    const listen = `require("net").createServer((c) => c.on("error", () => {})).listen(9999)`;
    const f = labFile(`name: flaky
networks:
  lan: { subnet: 10.83.0.0/24 }
nodes:
  n1:
    interfaces: { eth0: { network: lan } }
    processes:
      - name: srv
        command: [sh, -c, ${JSON.stringify(`echo waiting; [ -e ${flag} ] && exec node -e '${listen}'; exec sleep 300`)}]
        ready: { tcp: 9999 }
        ready_timeout: 1
`);
    const started = async (): Promise<number[]> => {
      const j = await sb.run(['cat', '/run/nslab/flaky/journal.jsonl']);
      return j.stdout
        .split('\n')
        .filter((l) => l.includes('"t":"proc"'))
        .map((l) => (JSON.parse(l) as { pid: number }).pid);
    };
    const status = async (): Promise<string | undefined> =>
      (JSON.parse(await nslabOk(sb, 'ls', '--json')) as Array<{ name: string; status: string }>).find((l) => l.name === 'flaky')?.status;
    const pids: number[] = [];
    try {
      const r = await nslab(sb, 'up', f.path);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      const first = r.stderr.split('\n').find((l) => l.includes('n1.srv')) ?? '';
      assert.match(first, /process n1\.srv .*was not ready after 1 s \(ready: \{ tcp: 9999 \}.*\); stopped it; last lines of \S+n1\.srv\.log:$/);
      assert.match(r.stderr, /^ {2}waiting$/m);
      pids.push(...(await started()));
      assert.equal(pids.length, 1);
      for (const p of pids) assert.ok(!processAlive(p), `PID ${p} still runs after its ready check failed`);
      assert.equal(await status(), 'partial');

      await sb.run(['touch', flag]);
      const again = await nslab(sb, 'up', f.path);
      assert.equal(again.code, 0, again.stdout + again.stderr);
      assert.doesNotMatch(again.stdout, /up to date/);
      assert.match(again.stdout, /processes: 1 started \(n1\.srv\)/);
      pids.push(...(await started()));
      assert.equal(await status(), 'up');
      assert.match(await nslabOk(sb, 'up', f.path), /up to date/);
      await nslabOk(sb, 'down', 'flaky');
      for (const p of pids) assert.ok(!processAlive(p), `PID ${p} still exists after down`);
    } finally {
      killByPid(pids);
      await nslab(sb, 'down', 'flaky');
      await sb.run(['rm', '-f', flag]);
      f.done();
    }
  }));

test("a ready command sees the node's hosts file also when only its pid namespace is isolated", (t) =>
  withSandbox(t, async (sb) => {
    const f = labFile(`name: rdyhosts
networks:
  lan: { subnet: 10.87.0.0/24 }
nodes:
  p1:
    isolate: [pid]
    interfaces: { eth0: { network: lan } }
    processes:
      - { name: idle, command: [sleep, "300"], ready: { command: [getent, hosts, p2] }, ready_timeout: 2 }
  p2:
    interfaces: { eth0: { network: lan } }
`);
    const pids: number[] = [];
    try {
      const r = await nslab(sb, 'up', f.path);
      pids.push(...(await recordedProcesses(sb, 'rdyhosts')).flatMap((p) => [p.pid, ...(p.outer ? [p.outer.pid] : [])]));
      assert.equal(r.code, 0, r.stdout + r.stderr);
      await nslabOk(sb, 'down', 'rdyhosts');
    } finally {
      killByPid(pids);
      await nslab(sb, 'down', 'rdyhosts');
      f.done();
    }
  }));
