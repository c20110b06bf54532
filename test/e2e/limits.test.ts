// Resource limits (issue #7): a lab needing more open files than the process may have is refused
// by `up` before it changes anything (exit 1, with the number needed and the number short), a dry
// run only warns, and the estimate is enough: with the limit set to exactly what it asked for, the
// same lab builds.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Sandbox } from '../helpers/sandbox.js';
import { BIN, hostState, labFile, nslab, nslabOk, withSandbox } from './lab.js';

function star(n: number): string {
  const nodes = Array.from({ length: n }, (_, i) => `  h${i}: { interfaces: { eth0: { network: lan } } }`);
  return `name: lim\nnetworks:\n  lan: { subnet: 10.55.0.0/16, gateway: 10.55.0.1 }\nnodes:\n${nodes.join('\n')}\n`;
}

/** nslab with RLIMIT_NOFILE set to `files` (soft and hard). */
function limited(sb: Sandbox, files: number, ...args: string[]): ReturnType<Sandbox['run']> {
  return sb.run(['prlimit', `--nofile=${files}:${files}`, process.execPath, BIN, ...args], { timeoutMs: 60_000 });
}

test('up refuses a lab that needs more open files than allowed, changing nothing; with the limit it asked for, it builds', (t) =>
  withSandbox(t, async (sb) => {
    const f = labFile(star(60));
    try {
      const before = await hostState(sb);
      const r = await limited(sb, 100, 'up', f.path);
      assert.equal(r.code, 1, r.stderr);
      const m = /needs about (\d+) open files .*but the limit is 100 \(ulimit -n\), (\d+) short: raise it with `ulimit -n (\d+)`/.exec(r.stderr);
      assert.ok(m, r.stderr);
      const need = Number(m[1]);
      assert.equal(Number(m[2]), need - 100);
      assert.equal(Number(m[3]), need);
      assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
      assert.deepEqual(await hostState(sb), before);
      assert.equal((await sb.run(['test', '-e', '/run/nslab/lim/journal.jsonl'])).code, 1, 'a journal was written');

      const dry = await limited(sb, 100, 'up', '--dry-run', f.path);
      assert.equal(dry.code, 0, dry.stderr);
      assert.match(dry.stderr, /warning: up would refuse: lab lim: needs about \d+ open files/);
      assert.deepEqual(await hostState(sb), before);

      const ok = await limited(sb, need, 'up', f.path);
      assert.equal(ok.code, 0, `with ulimit -n ${need} as asked: ${ok.stderr}`);
      assert.match((await sb.run(['ip', 'netns', 'list'])).stdout, /lim-h59/);
    } finally {
      await nslab(sb, 'down', 'lim');
      f.done();
    }
  }));

test('a lab within the limits builds without capacity warnings', (t) =>
  withSandbox(t, async (sb) => {
    const f = labFile(star(3));
    try {
      const r = await nslab(sb, 'up', f.path);
      assert.equal(r.code, 0, r.stderr);
      assert.doesNotMatch(r.stderr, /open files|kernel memory|neighbour/);
      await nslabOk(sb, 'down', 'lim');
    } finally {
      await nslab(sb, 'down', 'lim');
      f.done();
    }
  }));
