// Forged ownership markers: an alias `nslab:<lab>:...` on a link nslab did not create proves
// nothing. up treats such a link as any foreign object (a conflict, nothing changed) and down
// never removes one; only the journal says what a lab owns.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { sh } from '../helpers/checks.js';
import type { Sandbox } from '../helpers/sandbox.js';
import { EXAMPLES, hostEnd, hostState, ipJson, nslab, nslabOk, withSandbox } from './lab.js';

interface Link {
  ifname: string;
  ifalias?: string;
  flags: string[];
  addr_info?: Array<{ local: string }>;
}
const link = async (sb: Sandbox, name: string): Promise<Link | undefined> => (await ipJson<Link[]>(sb, 'addr', 'show')).find((l) => l.ifname === name);

test('a foreign veth with a forged alias is neither adopted by up nor removed by down, nor its peer', (t) =>
  withSandbox(t, async (sb) => {
    await nslabOk(sb, 'up', join(EXAMPLES, 'bridge.yaml'));
    const end = await hostEnd(sb, 'nslab:bridge:node:ns1:veth1');
    // A foreign pair carrying the very marker of a real host end of the lab.
    await sh(sb, 'ip', 'link', 'add', 'evil0', 'type', 'veth', 'peer', 'name', 'evil1');
    await sh(sb, 'ip', 'link', 'set', 'evil0', 'alias', 'nslab:bridge:node:ns1:veth1');
    await nslabOk(sb, 'down', 'bridge', '--wait');
    assert.ok(await link(sb, 'evil0'), 'down leaves the forged veth');
    assert.ok(await link(sb, 'evil1'), 'and its peer');
    // The same pair named as the lab's host end: up refuses instead of deleting it as a stale end.
    await sh(sb, 'ip', 'link', 'set', 'evil0', 'name', end);
    const before = await hostState(sb);
    const r = await nslab(sb, 'up', join(EXAMPLES, 'bridge.yaml'));
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stderr, new RegExp(`interface ${end} already exists in the host namespace and was not created by lab bridge`));
    assert.deepEqual(await hostState(sb), before, 'nothing was created, removed or renamed');
    assert.ok(await link(sb, 'evil1'), 'the peer lives');
  }));

test('a pre-created bridge with a forged alias: up refuses with a conflict naming it and changes nothing', (t) =>
  withSandbox(t, async (sb) => {
    await sh(sb, 'ip', 'link', 'add', 'bridge-br0', 'type', 'bridge');
    await sh(sb, 'ip', 'link', 'set', 'bridge-br0', 'alias', 'nslab:bridge:net:br0');
    const before = await hostState(sb);
    const r = await nslab(sb, 'up', join(EXAMPLES, 'bridge.yaml'));
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /interface bridge-br0 already exists in the host namespace and was not created by lab bridge/);
    assert.deepEqual(await hostState(sb), before);
    const br = await link(sb, 'bridge-br0');
    assert.ok(br && !br.flags.includes('UP'), 'not brought up');
    assert.deepEqual(br.addr_info ?? [], [], 'no address given');
    assert.equal((await sb.run(['ls', '/run/nslab/bridge'])).code, 2, 'no state: the lab was never started');
  }));

test('clean lists a marked link no journal knows with the marker it found, and asks first', (t) =>
  withSandbox(t, async (sb) => {
    await sh(sb, 'ip', 'link', 'add', 'lost0', 'type', 'veth', 'peer', 'name', 'lost1');
    await sh(sb, 'ip', 'link', 'set', 'lost0', 'alias', 'nslab:gone:net:lan');
    const r = await nslab(sb, 'clean');
    assert.equal(r.code, 1, 'without --yes clean only lists');
    assert.match(r.stdout, /host link lost0 \(marked "nslab:gone:net:lan" but no journal knows it\)/);
    assert.ok(await link(sb, 'lost0'));
  }));
