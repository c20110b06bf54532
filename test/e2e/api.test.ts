// The library API, as a test author uses it: the example test file (examples/api.test.mjs: two
// copies of one lab with the same subnets side by side, each with a private host namespace) passes
// inside a sandbox and leaves nothing behind; `await using` stops a lab when the block throws; a
// second start of a name that is up is refused; a process that exits or is killed with a lab up
// leaves nothing behind.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { EXAMPLES, leftoverSnapshot, withSandbox } from './lab.js';

/** /run/netns stays a shared mount once a namespace was named (as `ip netns add` leaves it). */
const NO_MOUNTS = { mounts: false } as const;
const CONSUMER = join(import.meta.dirname, 'fixtures', 'api-consumer.js');

test('the example test file passes in a sandbox: two copies of one lab side by side, nothing left after', (t) =>
  withSandbox(t, async (sb) => {
    const before = await leftoverSnapshot(sb, undefined, NO_MOUNTS);
    // Not as a child of this test runner (NODE_TEST_CONTEXT would make it report to us, not print).
    const { NODE_TEST_CONTEXT: _, ...env } = process.env;
    const r = await sb.run(['node', '--test', join(EXAMPLES, 'api.test.mjs')], { timeoutMs: 120_000, env });
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /# pass 3\n# fail 0/);
    assert.equal(await leftoverSnapshot(sb, undefined, NO_MOUNTS), before);
  }));

test('await using stops the lab (and its private host) when the block throws; a name that is up is refused', (t) =>
  withSandbox(t, async (sb) => {
    const before = await leftoverSnapshot(sb, undefined, NO_MOUNTS);
    const r = await sb.run(['node', CONSUMER, 'dispose'], { timeoutMs: 60_000 });
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    const seen = JSON.parse(r.stdout) as { name: string; refused: string; exec: { code: number; out: string; err: string }; left: string[] };
    assert.equal(seen.name, 'apic');
    assert.equal(seen.refused, 'lab-exists');
    assert.deepEqual(seen.exec, { code: 3, out: 'out\n', err: 'err\n' });
    assert.deepEqual(seen.left, []);
    assert.equal(await leftoverSnapshot(sb, undefined, NO_MOUNTS), before);
  }));

test('apply: an added node answers at once; a link cut by hand is taken as built, and made again by a full apply', (t) =>
  withSandbox(t, async (sb) => {
    const before = await leftoverSnapshot(sb, undefined, NO_MOUNTS);
    const r = await sb.run(['node', CONSUMER, 'apply'], { timeoutMs: 60_000 });
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.deepEqual(JSON.parse(r.stdout), { added: 3, reached: true, again: 0, cut: 0, plain: 0, full: true, repaired: true, removed: 2 });
    assert.equal(await leftoverSnapshot(sb, undefined, NO_MOUNTS), before);
  }));

test('capture: the packets of a ping, decoded with the lab names, until its count; leaving the loop stops it', (t) =>
  withSandbox(t, async (sb) => {
    const before = await leftoverSnapshot(sb, undefined, NO_MOUNTS);
    const r = await sb.run(['node', CONSUMER, 'capture'], { timeoutMs: 60_000 });
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    const seen = JSON.parse(r.stdout) as {
      points: string[];
      ping: number;
      seen: Array<{ point: string; text: string; bytes: number }>;
      first: string;
      refused: string;
    };
    assert.deepEqual(seen.points, ['a:eth0']);
    assert.equal(seen.ping, 0);
    assert.equal(seen.seen.length, 2, JSON.stringify(seen.seen));
    assert.ok(
      seen.seen.every((p) => p.point === 'a:eth0' && p.bytes >= 98),
      JSON.stringify(seen.seen),
    );
    assert.match(seen.seen[0]?.text ?? '', /10\.61\.0\.2 \(a\) > 10\.61\.0\.1 \(lan gateway\).*ICMP echo request/);
    assert.equal(seen.first, 'lan');
    assert.equal(seen.refused, 'no-node');
    assert.equal(await leftoverSnapshot(sb, undefined, NO_MOUNTS), before);
  }));

for (const mode of ['exit', 'signal'] as const) {
  test(`a process that ends (${mode === 'exit' ? 'process.exit' : 'SIGTERM'}) with a lab up leaves nothing behind`, (t) =>
    withSandbox(t, async (sb) => {
      const before = await leftoverSnapshot(sb, undefined, NO_MOUNTS);
      const r = await sb.run(['node', CONSUMER, mode], { timeoutMs: 60_000 });
      assert.equal(r.code, mode === 'exit' ? 0 : null, `${r.stdout}\n${r.stderr}`);
      assert.match(r.stdout, /"hostNetns":"h[a-z0-9]{6}-host"/);
      assert.equal(await leftoverSnapshot(sb, undefined, NO_MOUNTS), before);
    }));
}
