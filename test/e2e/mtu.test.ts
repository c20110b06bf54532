// Issue 14: an IPv4-only lab with `mtu: 1000`. Linux keeps no IPv6 state on a link below 1280, so
// setting addr_gen_mode none on it fails (EAFNOSUPPORT) after the veth was made; the journal then
// recorded own+drop for a veth that was still there. A failed up must keep owning it, and down
// must remove everything.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Sandbox } from '../helpers/sandbox.js';
import { hostState, labFile, nslab, nslabOk, withSandbox } from './lab.js';

const TOPO = [
  'name: mtu',
  'networks:',
  '  lan: { subnet: 10.95.0.0/24 }',
  'nodes:',
  '  a: { interfaces: { eth0: { network: lan, address: 10.95.0.10/24, mtu: 1000 } } }',
  '  b: { interfaces: { eth0: { network: lan, address: 10.95.0.11/24 } } }',
  '',
].join('\n');

/** The ids the journal still owns (replayed the simple way: own adds, drop removes). */
async function ownedIds(sb: Sandbox): Promise<string[]> {
  const text = (await sb.run(['cat', '/run/nslab/mtu/journal.jsonl'])).stdout;
  const owned = new Set<string>();
  for (const line of text.split('\n').filter(Boolean)) {
    const r = JSON.parse(line) as { t: string; id?: string };
    if (r.t === 'own') owned.add(r.id!);
    if (r.t === 'drop') owned.delete(r.id!);
  }
  return [...owned];
}

test('a veth whose follow-up failed stays in the journal after a failed up, and down removes it', (t) => withSandbox(t, async (sb) => {
  const f = labFile(TOPO);
  try {
    const before = await hostState(sb);
    const r = await nslab(sb, 'up', f.path);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /EAFNOSUPPORT/);
    assert.ok((await ownedIds(sb)).includes('link:mtu-a:eth0'), 'the veth that exists is still owned');
    assert.ok((await hostState(sb)).links.some((l) => l.endsWith(':mtu-a-eth0')), 'its host end exists');
    await nslabOk(sb, 'down', 'mtu');
    assert.deepEqual(await hostState(sb), before);
  } finally {
    f.done();
  }
}));
