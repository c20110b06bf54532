// Issue 14: a journal written by a newer nslab (a meta version above this one's) is not guessed at.
// down refuses with one line naming the version and both ways out; clean finds the lab by its
// markers and removes it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hostState, labFile, nslab, nslabOk, withSandbox } from './lab.js';

const TOPO = [
  'name: jv',
  'networks:',
  '  lan: { subnet: 10.97.0.0/24 }',
  'nodes:',
  '  a: { interfaces: { eth0: { network: lan, address: 10.97.0.10/24 } } }',
  '',
].join('\n');

test('down refuses a journal of a newer nslab with one clear line; clean removes the lab', (t) =>
  withSandbox(t, async (sb) => {
    const f = labFile(TOPO);
    try {
      const before = await hostState(sb);
      await nslabOk(sb, 'up', f.path);
      const j = '/run/nslab/jv/journal.jsonl';
      const bump = await sb.run(['sed', '-i', 's/"t":"meta","v":2,/"t":"meta","v":3,/', j]);
      assert.equal(bump.code, 0, bump.stderr);
      const r = await nslab(sb, 'down', 'jv');
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.equal(r.stderr.trim(), `nslab: journal ${j} was written by a newer nslab (version 3); use that version to take the lab down, or \`nslab clean\``);
      assert.notDeepEqual(await hostState(sb), before, 'down changed nothing');
      const c = await nslab(sb, 'clean', '--yes');
      assert.equal(c.code, 0, c.stdout + c.stderr);
      assert.match(c.stdout, /journal of a newer nslab/);
      assert.deepEqual(await hostState(sb), before);
    } finally {
      f.done();
    }
  }));
