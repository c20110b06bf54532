// A non-root user with rootless mode off (NSLAB_ROOTLESS=off) gets the truth: root builds a lab in the sandbox, then nslab runs as nobody
// (setpriv, uid/gid 65534, no groups, no capabilities). Verbs that need root say so in one line
// (exit 1); verbs that read the state directory say they cannot read it, never "no labs" or "no
// lab named"; validate and graph work for anyone; nothing is a stack trace.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { needRoot } from '../helpers/checks.js';
import type { Sandbox } from '../helpers/sandbox.js';
import { BIN, EXAMPLES, nslabOk, withSandbox } from './lab.js';

const AS_NOBODY = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--'];

// With rootless mode off: without it a non-root user builds labs of their own (rootless.test.ts).
function asNobody(sb: Sandbox, ...args: string[]): ReturnType<Sandbox['run']> {
  return sb.run([...AS_NOBODY, process.execPath, BIN, ...args], { timeoutMs: 30_000, env: { ...process.env, NSLAB_ROOTLESS: 'off' } });
}

test('as a non-root user every verb says what it needs in one line; validate and graph work', async (t) => {
  if (!needRoot(t)) return;
  // The user must be able to read the checkout (bin/, dist/, node_modules/) to run nslab at all.
  const probe = spawnSync(AS_NOBODY[0]!, [...AS_NOBODY.slice(1), process.execPath, BIN, '--help'], { encoding: 'utf8', timeout: 20_000 });
  if (probe.status !== 0) {
    assert.ok(!process.env['NSLAB_REQUIRE_ROOT_TESTS'], `nobody cannot run ${BIN}: ${probe.stderr}`);
    t.skip(`needs a checkout readable by uid 65534 (nobody cannot run ${BIN}: ${probe.stderr.split('\n')[0]})`);
    return;
  }
  await withSandbox(t, async (sb) => {
    await nslabOk(sb, 'up', join(EXAMPLES, 'bridge.yaml'));
    const root = {
      up: ['up', join(EXAMPLES, 'bridge.yaml')],
      'up --dry-run': ['up', '--dry-run', join(EXAMPLES, 'bridge.yaml')],
      down: ['down', 'bridge'],
      clean: ['clean', '--yes'],
      show: ['show', 'bridge'],
      exec: ['exec', 'bridge', 'ns1', '--', 'true'],
      run: ['run', 'bridge', 'ns1', '--', 'sleep', '1'],
      test: ['test', 'bridge'],
      trace: ['trace', 'bridge', 'ns1', 'ns2'],
      capture: ['capture', 'bridge', 'ns1', '-c', '1'],
    };
    for (const [what, argv] of Object.entries(root)) {
      const r = await asNobody(sb, ...argv);
      assert.equal(r.code, 1, `${what}: ${r.stderr}`);
      const verb = argv[0]!;
      assert.match(r.stderr, new RegExp(`^nslab: ${verb} needs root \\(CAP_[A-Z_]+.*\\): run it with sudo.*\\n$`), `${what}: ${r.stderr}`);
    }
    for (const argv of [['ls'], ['ps'], ['ps', 'bridge'], ['logs', 'bridge', 'ns1']]) {
      const r = await asNobody(sb, ...argv);
      assert.equal(r.code, 1, `${argv.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr, 'nslab: cannot read /run/nslab: needs root (run it with sudo)\n', argv.join(' '));
    }
    const v = await asNobody(sb, 'validate', join(EXAMPLES, 'bridge.yaml'));
    assert.equal(v.code, 0, v.stderr);
    const g = await asNobody(sb, 'graph', join(EXAMPLES, 'bridge.yaml'), '--format', 'mermaid');
    assert.equal(g.code, 0, g.stderr);
    assert.match(g.stdout, /flowchart/);
    // The lab is untouched by all of it, and root can still take it down.
    await nslabOk(sb, 'down', 'bridge');
  });
});
