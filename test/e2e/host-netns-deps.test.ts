// A lab whose --host-netns is another lab's node: taking the host lab down would destroy the
// guest's bridges and host ends, so down refuses (naming the guest) unless --force; and a lab
// whose host namespace is gone is still finished by down, or by clean.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Sandbox } from '../helpers/sandbox.js';
import { hostState, labFile, nslab, nslabOk, pings, withSandbox } from './lab.js';

const HX =
  'name: hx\nnodes:\n  n1:\n    interfaces:\n      eth0: { peer: "n2:eth0", address: 10.77.0.1/30 }\n  n2:\n    interfaces:\n      eth0: { peer: "n1:eth0", address: 10.77.0.2/30 }\n';
const HY =
  'name: hy\nnetworks:\n  lan: { subnet: 10.78.0.0/24, gateway: 10.78.0.1, nat: true }\nnodes:\n  a:\n    interfaces:\n      eth0: { network: lan, address: 10.78.0.2/24 }\n';

async function both(sb: Sandbox, fn: (files: { hx: string; hy: string }) => Promise<void>): Promise<void> {
  const [x, y] = [labFile(HX), labFile(HY)];
  try {
    await nslabOk(sb, 'up', x.path);
    await nslabOk(sb, 'up', y.path, '--host-netns', 'hx-n1');
    await fn({ hx: x.path, hy: y.path });
  } finally {
    x.done();
    y.done();
  }
}

const netnsList = async (sb: Sandbox): Promise<string> => (await sb.run(['ip', 'netns', 'list'])).stdout;

test('down of a lab whose namespace hosts another lab refuses, naming it; down in order works', (t) =>
  withSandbox(t, ['nft', 'libnftables', 'ping'], async (sb) => {
    const baseline = await hostState(sb);
    await both(sb, async () => {
      const r = await nslab(sb, 'down', 'hx');
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stderr, /lab hx plays host for lab hy \(--host-netns hx-n1\).*take it down first \(`nslab down hy`\), or pass --force/);
      assert.match(await netnsList(sb), /hx-n1/, 'nothing was removed');
      assert.ok(await pings(sb, 'hy-a', '10.78.0.1'), 'hy still works');
      await nslabOk(sb, 'down', 'hy', '--wait');
      await nslabOk(sb, 'down', 'hx', '--wait');
    });
    assert.deepEqual(await hostState(sb), baseline);
  }));

test('down --force takes the host lab down; down of the guest then removes what is left and says why', (t) =>
  withSandbox(t, ['nft', 'libnftables'], async (sb) => {
    const baseline = await hostState(sb);
    await both(sb, async () => {
      await nslabOk(sb, 'down', 'hx', '--force', '--wait');
      const r = await nslab(sb, 'down', 'hy', '--wait');
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stderr, /host namespace hx-n1 is gone, and with it the lab's bridges, host ends and host settings/);
      assert.match(r.stdout, /lab hy: down/);
      assert.equal((await sb.run(['ls', '/run/nslab/hy'])).code, 2, 'its state is gone');
      assert.equal((await nslab(sb, 'clean')).stdout, 'nothing to clean\n');
    });
    assert.deepEqual(await hostState(sb), baseline, 'no namespace of hy is left');
  }));

test('clean finishes a lab whose host namespace is gone', (t) =>
  withSandbox(t, ['nft', 'libnftables'], async (sb) => {
    const baseline = await hostState(sb);
    await both(sb, async () => {
      await nslabOk(sb, 'down', 'hx', '--force', '--wait');
      const listed = await nslab(sb, 'clean');
      assert.equal(listed.code, 1);
      assert.match(listed.stdout, /lab hy \(its host namespace hx-n1 is gone\):\n {2}namespace hy-a/);
      await nslabOk(sb, 'clean', '--yes');
      assert.equal((await sb.run(['ls', '/run/nslab/hy'])).code, 2);
    });
    assert.deepEqual(await hostState(sb), baseline);
  }));
