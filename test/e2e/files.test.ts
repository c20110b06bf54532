// Files and setup steps in nodes, end to end: what a node's files: place is seen inside the node
// (by exec and by its processes) and never on the host; a private dir is writable by its owner and
// stays in the node; a bind is read-only by default; a changed file is placed again by up, which
// restarts that node's processes only; a failing step fails up with its output; down leaves no
// mount and no path behind.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { killByPid, nslab, nslabOk, processAlive, recordedProcesses, withSandbox } from './lab.js';

/** Mount points in the sandbox host's mount namespace that nslab's placement would have made. */
async function hostMounts(sb: Parameters<typeof nslab>[0]): Promise<string> {
  const r = await sb.run(['sh', '-c', 'grep -E "nslab-files|nslab-dir|/etc/nslab-e2e|/var/tmp/nslab-e2e|/srv/nslab-e2e" /proc/self/mountinfo; true']);
  return r.stdout;
}

test('files: inside the node only, private dirs, read-only binds, placed again on change; steps; down leaves nothing', (t) =>
  withSandbox(t, async (sb) => {
    const dir = mkdtempSync(join(tmpdir(), 'nslab-e2e-files-'));
    const data = mkdtempSync(join(tmpdir(), 'nslab-e2e-bind-'));
    writeFileSync(join(data, 'marker'), 'from the host\n');
    writeFileSync(join(dir, 'daemons'), 'zebra=yes\n');
    const lab = (conf: string): string => `name: fl
networks:
  lan: { subnet: 10.94.0.0/24 }
nodes:
  r1:
    interfaces: { eth0: { network: lan } }
    files:
      - { path: /etc/nslab-e2e/frr.conf, content: "${conf}\\n", mode: "0640", owner: "nobody" }
      - { path: /etc/nslab-e2e/daemons, source: daemons }
      - { path: /var/tmp/nslab-e2e, dir: true, owner: nobody, mode: "0700" }
      - { path: /srv/nslab-e2e, bind: ${data} }
    exec:
      - { command: [sh, -c, "echo step ran >> /var/tmp/nslab-e2e/steps"] }
    processes:
      - { name: zebra, command: [sh, -c, "cat /etc/nslab-e2e/frr.conf; exec sleep 300"] }
  r2:
    interfaces: { eth0: { network: lan } }
    processes:
      - { name: web, command: [sleep, "300"] }
`;
    const file = join(dir, 'lab.yaml');
    writeFileSync(file, lab('router ospf'));
    const pids: number[] = [];
    const record = async (): Promise<void> => {
      pids.push(...(await recordedProcesses(sb, 'fl')).flatMap((p) => [p.pid, ...(p.outer ? [p.outer.pid] : [])]));
    };
    try {
      const mountsBefore = await hostMounts(sb);
      await nslabOk(sb, 'up', file);
      await record();
      // Inline content and a source, with mode and owner, inside the node; not on the host.
      assert.equal(await nslabOk(sb, 'exec', 'fl', 'r1', '--', 'cat', '/etc/nslab-e2e/frr.conf'), 'router ospf\n');
      assert.equal(await nslabOk(sb, 'exec', 'fl', 'r1', '--', 'cat', '/etc/nslab-e2e/daemons'), 'zebra=yes\n');
      assert.equal((await nslabOk(sb, 'exec', 'fl', 'r1', '--', 'stat', '-c', '%a %U', '/etc/nslab-e2e/frr.conf')).trim(), '640 nobody');
      assert.ok(!existsSync('/etc/nslab-e2e'), 'the file is on the host');
      const other = await nslab(sb, 'exec', 'fl', 'r2', '--', 'cat', '/etc/nslab-e2e/frr.conf');
      assert.notEqual(other.code, 0, 'another node sees the file');
      // The node's other files are still there (its hosts file is a mount below /etc: bound back).
      assert.match(await nslabOk(sb, 'exec', 'fl', 'r1', '--', 'getent', 'hosts', 'r2'), /r2/);
      // Its process read it.
      assert.match((await sb.run(['cat', '/run/nslab/fl/logs/r1.zebra.log'])).stdout, /router ospf/);
      // A private dir, writable by its owner, that the host never sees; the step wrote into it.
      await nslabOk(sb, 'exec', 'fl', 'r1', '--', 'runuser', '-u', 'nobody', '--', 'touch', '/var/tmp/nslab-e2e/mine');
      assert.equal(await nslabOk(sb, 'exec', 'fl', 'r1', '--', 'cat', '/var/tmp/nslab-e2e/steps'), 'step ran\n');
      assert.ok(!existsSync('/var/tmp/nslab-e2e'), 'the private dir is on the host');
      // A bind is read-only by default.
      assert.equal(await nslabOk(sb, 'exec', 'fl', 'r1', '--', 'cat', '/srv/nslab-e2e/marker'), 'from the host\n');
      const w = await nslab(sb, 'exec', 'fl', 'r1', '--', 'touch', '/srv/nslab-e2e/x');
      assert.notEqual(w.code, 0);
      assert.match(w.stderr, /Read-only/i);
      assert.ok(!existsSync(join(data, 'x')));

      // Nothing changed: nothing restarts, the step does not run again.
      const same = JSON.parse(await nslabOk(sb, 'up', file, '--json')) as { processes: { started: string[] } };
      assert.deepEqual(same.processes.started, []);
      // The content changed: placed again, r1's processes restarted (and its step run again in its
      // new namespaces), r2's left alone.
      const web = (await recordedProcesses(sb, 'fl')).find((p) => p.name === 'web')!;
      writeFileSync(file, lab('router bgp'));
      const changed = JSON.parse(await nslabOk(sb, 'up', file, '--json')) as { processes: { started: string[] } };
      await record();
      assert.deepEqual(changed.processes.started, ['r1.zebra']);
      assert.equal(await nslabOk(sb, 'exec', 'fl', 'r1', '--', 'cat', '/etc/nslab-e2e/frr.conf'), 'router bgp\n');
      assert.equal((await recordedProcesses(sb, 'fl')).find((p) => p.name === 'web')?.pid, web.pid);
      // A source file changed beside an unchanged lab text: seen too.
      writeFileSync(join(dir, 'daemons'), 'zebra=yes\nospfd=yes\n');
      const src = JSON.parse(await nslabOk(sb, 'up', file, '--json')) as { processes: { started: string[] } };
      await record();
      assert.deepEqual(src.processes.started, ['r1.zebra']);
      assert.equal(await nslabOk(sb, 'exec', 'fl', 'r1', '--', 'cat', '/etc/nslab-e2e/daemons'), 'zebra=yes\nospfd=yes\n');

      await nslabOk(sb, 'down', 'fl');
      for (const pid of pids) assert.ok(!processAlive(pid), `PID ${pid} still exists after down`);
      assert.equal(await hostMounts(sb), mountsBefore, 'a mount is left on the host');
      for (const p of ['/etc/nslab-e2e', '/var/tmp/nslab-e2e', '/srv/nslab-e2e']) assert.ok(!existsSync(p), `${p} is left`);
      assert.notEqual((await sb.run(['test', '-e', '/run/nslab/fl'])).code, 0, 'the staged files are left');
      assert.deepEqual(readFileSync(join(data, 'marker'), 'utf8'), 'from the host\n');
    } finally {
      killByPid(pids);
      await nslab(sb, 'down', 'fl');
      rmSync(dir, { recursive: true, force: true });
      rmSync(data, { recursive: true, force: true });
    }
  }));

test('a failing setup step fails up with its output; a file that cannot be placed says why', (t) =>
  withSandbox(t, async (sb) => {
    const dir = mkdtempSync(join(tmpdir(), 'nslab-e2e-step-'));
    const file = join(dir, 'lab.yaml');
    writeFileSync(
      file,
      `name: stp
networks:
  lan: { subnet: 10.95.0.0/24 }
nodes:
  s1:
    isolate: [uts]
    interfaces: { eth0: { network: lan } }
    exec:
      - { command: [sh, -c, "echo configuring; echo 'bad table' >&2; exit 4"] }
`,
    );
    const top = join(dir, 'top.yaml');
    writeFileSync(
      top,
      `name: top
networks:
  lan: { subnet: 10.96.0.0/24 }
nodes:
  t1:
    interfaces: { eth0: { network: lan } }
    files:
      - { path: /nslab-e2e-top/x.conf, content: "x" }
`,
    );
    try {
      const r = await nslab(sb, 'up', file);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stderr, /node s1: exec step 1 \(sh -c .*\) exited with status 4; its output:\n {2}configuring\n {2}bad table/);
      await nslabOk(sb, 'down', 'stp');
      const t2 = await nslab(sb, 'up', top);
      assert.equal(t2.code, 1, t2.stdout + t2.stderr);
      assert.match(t2.stderr, /node t1: could not place its files .*\n.*cannot create \/nslab-e2e-top\/x.conf/);
      assert.ok(!existsSync('/nslab-e2e-top'));
      await nslabOk(sb, 'down', 'top');
      assert.equal((await recordedProcesses(sb, 'top')).length, 0);
    } finally {
      await nslab(sb, 'down', 'stp');
      await nslab(sb, 'down', 'top');
      rmSync(dir, { recursive: true, force: true });
    }
  }));
