// One lab, one writer: a command on a locked lab waits and says so, other labs go ahead, a dead
// holder's lock is free at once; and a big lab's down hands its bridges to a background finisher
// that holds the lock, so a following up waits for it and the host ends up exactly clean.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { labFile, nslab, nslabOk, processAlive, withSandbox } from './lab.js';

const star = (name: string, n: number, net: number): string => {
  const lines = [`name: ${name}`, 'networks:', `  lan: { subnet: 10.${net}.0.0/16, gateway: 10.${net}.0.1 }`, 'nodes:'];
  for (let i = 1; i <= n; i++) lines.push(`  h${i}: { interfaces: { eth0: { network: lan } } }`);
  return lines.join('\n') + '\n';
};

test('a locked lab waits for its holder; other labs do not; a killed holder frees the lock', (t) =>
  withSandbox(t, async (sb) => {
    const a = labFile(star('lka', 3, 71));
    const b = labFile(star('lkb', 3, 72));
    let holder = 0;
    try {
      await sb.run(['mkdir', '-p', '/run/nslab']);
      // Someone holds lab lka's lock for 1.5 s (flock(1) on the same file, as another nslab would).
      const held = sb.run(['flock', '/run/nslab/.lock-lka', 'sleep', '1.5']);
      await new Promise((r) => setTimeout(r, 300));
      const t0 = Date.now();
      const [upA, upB] = await Promise.all([nslab(sb, 'up', a.path), nslab(sb, 'up', b.path).then((r) => ({ ...r, ms: Date.now() - t0 }))]);
      await held;
      assert.equal(upA.code, 0, upA.stderr);
      assert.match(upA.stderr, /waiting: another nslab .*is changing this lab/);
      assert.ok(Date.now() - t0 >= 1000, 'lka did not wait for the lock');
      assert.equal(upB.code, 0, upB.stderr);
      assert.doesNotMatch(upB.stderr, /waiting/);

      // A holder killed with SIGKILL leaves no stale lock.
      const bg = await sb.run(['sh', '-c', 'flock -o /run/nslab/.lock-lka sleep 300 >/dev/null 2>&1 </dev/null & echo $!']);
      holder = Number(bg.stdout.trim());
      assert.ok(holder > 0 && processAlive(holder));
      process.kill(holder, 'SIGKILL');
      const t1 = Date.now();
      await nslabOk(sb, 'down', 'lka');
      assert.ok(Date.now() - t1 < 5000, 'down waited on a dead holder');
      await nslabOk(sb, 'down', 'lkb');
      assert.equal((await sb.run(['ls', '-A', '/run/nslab'])).stdout.trim(), '', 'state or lock files left behind');
    } finally {
      try {
        if (holder) process.kill(holder, 'SIGKILL');
      } catch {
        // gone
      }
      await nslab(sb, 'down', 'lka', '--wait');
      await nslab(sb, 'down', 'lkb', '--wait');
      a.done();
      b.done();
    }
  }));

test('down of a big lab returns before the kernel is done; the finisher holds the lock and leaves nothing', (t) =>
  withSandbox(t, async (sb) => {
    const f = labFile(star('big', 300, 73));
    try {
      await nslabOk(sb, 'up', f.path);
      const out = await nslabOk(sb, 'down', 'big');
      const pid = Number(/background PID (\d+)/.exec(out)?.[1]);
      assert.ok(pid > 0, `no background finisher was started:\n${out}`);
      // A new up of the lab waits for the finisher, then builds it again from scratch.
      const again = JSON.parse(await nslabOk(sb, 'up', f.path, '--json')) as { changes: number };
      assert.ok(again.changes > 1200, `up did not rebuild the lab: ${again.changes} changes`);
      assert.ok(!processAlive(pid), 'the finisher is still running after up got the lock');
      await nslabOk(sb, 'down', 'big', '--wait');
      assert.equal((await sb.run(['ip', 'netns', 'list'])).stdout.trim(), '');
      assert.equal((await sb.run(['ip', '-o', 'link', 'show'])).stdout.trim().split('\n').length, 1, 'links left behind');
      assert.equal((await sb.run(['ls', '-A', '/run/nslab', '/run/nslab-netns'])).stdout.replace(/\/run\/[a-z-]+:\n?/g, '').trim(), '');
    } finally {
      await nslab(sb, 'down', 'big', '--wait');
      f.done();
    }
  }));
