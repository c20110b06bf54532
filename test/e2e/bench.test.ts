// Keeps the benchmark working (it is run by hand, never timed here): one nslab scenario of
// bench/scenario.sh, a star of 10, in a sandbox: it builds, verifies, re-ups, adds a node and
// tears down, and reports every figure.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { withSandbox } from './lab.js';

const SCENARIO = join(import.meta.dirname, '..', '..', '..', 'bench', 'scenario.sh');

test('bench/scenario.sh measures a star of 10 with nslab and leaves nothing', (t) =>
  withSandbox(t, async (sb) => {
    const r = await sb.run(['bash', SCENARIO, 'nslab', 'star', '10', '/nonexistent'], { timeoutMs: 120_000 });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const got = Object.fromEntries(
      r.stdout
        .trim()
        .split('\n')
        .map((l) => l.split('=')),
    );
    for (const k of ['build_s', 'rss_kb', 'objects', 'verify_s', 'unchanged_s', 'add1_s', 'down_s', 'gone_s']) {
      assert.ok(Number.isFinite(Number(got[k])) && Number(got[k]) >= 0, `${k}=${got[k]}\n${r.stdout}`);
    }
    assert.equal(got['verify_fail'], '0', r.stdout);
    assert.equal(got['objects'], String(2 + 10 * 6), 'a star of 10: bridge, gateway, and per host a namespace, lo, veth, address, route, port');
    assert.equal((await sb.run(['ip', 'netns', 'list'])).stdout.trim(), '');
    assert.equal((await sb.run(['ls', '-A', '/run/nslab'])).stdout.trim(), '');
  }));
