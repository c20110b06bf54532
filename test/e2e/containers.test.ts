// examples/containers.yaml, seed 000's Example 3 without Docker, end to end in a sandbox: two
// busybox "containers" (own pid, mount and uts namespaces), httpd in c1 fetched from c2 by name.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { EXAMPLES, nslab, nslabOk, processAlive, recordedProcesses, withSandbox } from './lab.js';

/** PIDs in a `busybox ps` listing (header dropped), in order. */
function psPids(out: string): number[] {
  return out
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => Number(l.trim().split(/\s+/)[0]));
}

test('containers example: httpd in c1 is fetched from c2 by name; each container sees only its own processes', (t) =>
  withSandbox(t, ['busybox'], async (sb) => {
    const pids: number[] = [];
    try {
      await nslabOk(sb, 'up', join(EXAMPLES, 'containers.yaml'));
      const procs = await recordedProcesses(sb, 'containers');
      pids.push(...procs.flatMap((p) => [p.pid, ...(p.outer ? [p.outer.pid] : [])]));
      assert.deepEqual(procs.map((p) => `${p.node}.${p.name}`).sort(), ['c1.@holder', 'c1.httpd', 'c2.@holder', 'c2.idle']);
      await nslabOk(sb, 'test', 'containers');
      assert.equal(await nslabOk(sb, 'exec', 'containers', 'c2', '--', 'busybox', 'wget', '-qO-', 'http://c1:8080/'), 'hello\n');

      const c1 = psPids(await nslabOk(sb, 'exec', 'containers', 'c1', '--', 'busybox', 'ps'));
      assert.equal(c1[0], 1, `PID 1 is not first in c1: ${c1.join(' ')}`);
      assert.ok(
        c1.every((p) => p < 100),
        `c1 sees foreign PIDs: ${c1.join(' ')}`,
      );
      assert.equal((await nslabOk(sb, 'exec', 'containers', 'c1', '--', 'busybox', 'ps')).match(/httpd/g)?.length, 1);
      // the host's /proc is not visible: neither the sandbox's shell nor this test's process
      const proc = (await nslabOk(sb, 'exec', 'containers', 'c1', '--', 'ls', '/proc'))
        .split(/\s+/)
        .filter((w) => /^\d+$/.test(w))
        .map(Number);
      for (const host of [sb.pid, process.pid]) assert.ok(!proc.includes(host), `host PID ${host} visible in c1's /proc`);
      // c2 does not see c1's server
      const c2 = await nslabOk(sb, 'exec', 'containers', 'c2', '--', 'busybox', 'ps');
      assert.doesNotMatch(c2, /httpd/);
      assert.equal(psPids(c2)[0], 1);
      assert.equal((await nslabOk(sb, 'exec', 'containers', 'c1', '--', 'hostname')).trim(), 'c1');

      await nslabOk(sb, 'down', 'containers');
      for (const p of pids) assert.ok(!processAlive(p), `PID ${p} still exists after down`);
    } finally {
      for (const p of pids) {
        try {
          process.kill(p, 'SIGKILL');
        } catch {
          // gone
        }
      }
      await nslab(sb, 'down', 'containers');
    }
  }));
