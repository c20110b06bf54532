// Capped process logs, end to end (issue 13 item 5): a process writing flat out (`yes`) leaves at
// most max × (keep + 1) bytes in the lab's log directory, rotated; `nslab logs` prints that at
// once; the log keeper is journaled, stopped by down, and its death shows in ls and ps and is
// repaired by the next up. A 600 MB log (sparse: no RAM) no longer breaks up's failure message
// or `nslab logs`, which stay small in memory.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BIN, killByPid, labFile, nslab, nslabOk, processAlive, recordedProcesses, rootOnly, withSandbox } from './lab.js';

const CHATTY = `name: chatty
networks:
  lan: { subnet: 10.93.0.0/24 }
nodes:
  a:
    interfaces: { eth0: { network: lan } }
    processes:
      - { name: y, command: [yes, hello], log: { max: 64KiB, keep: 2 } }
`;

const DIR = '/run/nslab/chatty/logs';

async function keeperPid(sb: Parameters<typeof nslab>[0], lab: string): Promise<number> {
  const j = await sb.run(['cat', `/run/nslab/${lab}/journal.jsonl`]);
  const recs = j.stdout
    .split('\n')
    .filter((l) => l.includes('"t":"keeper"'))
    .map((l) => JSON.parse(l) as { pid: number });
  assert.ok(recs.length > 0, `no keeper record:\n${j.stdout}`);
  return recs[recs.length - 1]!.pid;
}

test('a process writing flat out keeps at most max × (keep + 1) of log, rotated; logs prints it at once; down stops the keeper', (t) =>
  withSandbox(t, async (sb) => {
    const f = labFile(CHATTY);
    const pids: number[] = [];
    try {
      await nslabOk(sb, 'up', f.path);
      const keeper = await keeperPid(sb, 'chatty');
      pids.push(keeper);
      await new Promise((r) => setTimeout(r, 3_000));
      // Paused, so the files hold still to be measured (a rotation renames, then creates the log).
      const [yes] = await recordedProcesses(sb, 'chatty');
      pids.push(yes!.pid);
      process.kill(yes!.pid, 'SIGSTOP');
      await new Promise((r) => setTimeout(r, 300));
      const sizes = await sb.run(['sh', '-c', `cd ${DIR} && stat -c '%n %s' a.y.log*`]);
      const files = new Map(
        sizes.stdout
          .trim()
          .split('\n')
          .map((l) => l.split(' ') as [string, string])
          .map(([n, s]) => [n, Number(s)]),
      );
      assert.deepEqual([...files.keys()].sort(), ['a.y.log', 'a.y.log.1', 'a.y.log.2'], sizes.stdout);
      for (const [n, s] of files) assert.ok(s <= 64 * 1024, `${n} has ${s} bytes, more than the 64 KiB cap`);
      assert.equal(files.get('a.y.log.1'), 64 * 1024);
      // Gigabytes went through the keeper meanwhile (it read them: yes was not blocked).
      const io = await sb.run(['sh', '-c', `grep rchar /proc/${keeper}/io`]);
      assert.ok(Number(/\d+/.exec(io.stdout)?.[0]) > 10 * 1024 * 1024, io.stdout);

      const t0 = Date.now();
      const out = await nslabOk(sb, 'logs', 'chatty', 'a', 'y');
      assert.ok(Date.now() - t0 < 5_000, `logs took ${Date.now() - t0} ms`);
      assert.ok(out.length <= 3 * 64 * 1024 && out.length >= 2 * 64 * 1024, `logs printed ${out.length} bytes`);
      assert.match(out, /hello\n$/);

      process.kill(yes!.pid, 'SIGCONT');
      await nslabOk(sb, 'down', 'chatty');
      assert.ok(!processAlive(keeper) || (await sb.run(['sh', '-c', `grep -q '^State:.Z' /proc/${keeper}/status`])).code === 0, 'the keeper outlived down');
    } finally {
      killByPid(pids);
      await nslab(sb, 'down', 'chatty');
      f.done();
    }
  }));

test('a dead log keeper shows in ls and ps; the next up starts a new one and the lab is up again', (t) =>
  withSandbox(t, async (sb) => {
    const f = labFile(CHATTY.replace('name: chatty', 'name: orphan').replace('10.93.', '10.94.'));
    const pids: number[] = [];
    try {
      await nslabOk(sb, 'up', f.path);
      const first = await keeperPid(sb, 'orphan');
      pids.push(first);
      process.kill(first, 'SIGKILL');
      await new Promise((r) => setTimeout(r, 300));
      const ls = JSON.parse(await nslabOk(sb, 'ls', '--json')) as Array<{ name: string; status: string; logKeeperDead?: boolean }>;
      assert.deepEqual(
        ls.map((l) => [l.name, l.status, l.logKeeperDead]),
        [['orphan', 'partial', true]],
      );
      assert.match(await nslabOk(sb, 'ps', 'orphan'), new RegExp(`log keeper PID ${first} is gone: processes that write output get SIGPIPE`));
      await nslabOk(sb, 'up', f.path);
      const second = await keeperPid(sb, 'orphan');
      pids.push(second);
      assert.notEqual(second, first);
      const again = JSON.parse(await nslabOk(sb, 'ls', '--json')) as Array<{ status: string }>;
      assert.equal(again[0]?.status, 'up');
      await nslabOk(sb, 'down', 'orphan');
    } finally {
      killByPid(pids);
      await nslab(sb, 'down', 'orphan');
      f.done();
    }
  }));

test(
  'a 600 MB log: up fails with the tail (exit 1, not 70) and logs streams it, both in little memory',
  rootOnly("plants the 600 MB log in root's state root before up; a user's state root is theirs", (t) =>
    withSandbox(t, async (sb) => {
      const f = labFile(`name: huge
networks:
  lan: { subnet: 10.95.0.0/24 }
nodes:
  b:
    interfaces: { eth0: { network: lan } }
    processes:
      - { name: oops, command: [sh, -c, "echo the last words; exit 3"] }
`);
      try {
        // Sparse: 600 MB of zeros that take no RAM in the sandbox's /run.
        await sb.run([
          'sh',
          '-c',
          'mkdir -p /run/nslab/huge/logs && truncate -s 600M /run/nslab/huge/logs/b.oops.log && echo older line >> /run/nslab/huge/logs/b.oops.log',
        ]);
        const up = await sb.run(['/usr/bin/time', '-f', 'maxrss=%M', 'node', BIN, 'up', f.path], { timeoutMs: 60_000 });
        assert.equal(up.code, 1, up.stderr);
        assert.match(up.stderr, /process b\.oops .*exited with status 3; last lines of .*:\n(.*\n)* {2}the last words/);
        const rss = Number(/maxrss=(\d+)/.exec(up.stderr)?.[1]);
        assert.ok(rss < 200 * 1024, `up used ${rss} kB`);
        const logs = await sb.run(['sh', '-c', `/usr/bin/time -f maxrss=%M node ${BIN} logs huge b oops | tail -c 40`], { timeoutMs: 60_000 });
        assert.equal(logs.code, 0, logs.stderr);
        assert.match(logs.stdout, /older line\nthe last words\n$/);
        const lrss = Number(/maxrss=(\d+)/.exec(logs.stderr)?.[1]);
        assert.ok(lrss < 200 * 1024, `logs used ${lrss} kB`);
      } finally {
        await nslab(sb, 'down', 'huge');
        f.done();
      }
    }),
  ),
);
