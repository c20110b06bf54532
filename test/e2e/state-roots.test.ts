// Two state roots on one host (NSLAB_STATE_DIR): each tags its ownership markers, and `clean`
// under one root never takes the other's live labs (or the default root's) for leftovers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sh } from '../helpers/checks.js';
import type { Sandbox } from '../helpers/sandbox.js';
import { BIN, labFile, withSandbox } from './lab.js';

/** A lab with a NAT network (bridge, host ends, nft table) and a p2p link (namespaces only). */
const lab = (name: string, net: string): string => `name: ${name}
networks:
  lan: { subnet: ${net}.0/24, gateway: ${net}.1, nat: true }
nodes:
  a:
    interfaces:
      eth0: { network: lan, address: ${net}.2/24 }
  b:
    interfaces:
      eth0: { network: lan, address: ${net}.3/24 }
      eth1: { peer: "c:eth0", address: 10.66.0.2/30 }
  c:
    interfaces:
      eth0: { peer: "b:eth1", address: 10.66.0.1/30 }
expect:
  - { from: a, to: b }
  - { from: c, to: b }
`;

/** nslab with a state root (undefined: the default /run/nslab). */
function nslabIn(sb: Sandbox, root: string | undefined, ...args: string[]): ReturnType<Sandbox['run']> {
  const env = { ...process.env };
  if (root === undefined) delete env['NSLAB_STATE_DIR'];
  else env['NSLAB_STATE_DIR'] = root;
  return sb.run(['node', BIN, ...args], { timeoutMs: 60_000, env });
}

async function ok(sb: Sandbox, root: string | undefined, ...args: string[]): Promise<string> {
  const r = await nslabIn(sb, root, ...args);
  assert.equal(r.code, 0, `nslab ${args.join(' ')} (${root ?? 'default root'}) exited ${r.code}: ${r.stdout}${r.stderr}`);
  return r.stdout;
}

test('clean --yes under state root A never touches the live labs of root B or of the default root', (t) =>
  withSandbox(t, ['nft', 'libnftables', 'ping'], async (sb) => {
    const [fa, fb, fd] = [labFile(lab('la', '10.81.0')), labFile(lab('lb', '10.82.0')), labFile(lab('ld', '10.83.0'))];
    const [A, B] = ['/run/root-a', '/run/root-b'];
    try {
      await ok(sb, A, 'up', fa.path);
      await ok(sb, B, 'up', fb.path);
      await ok(sb, undefined, 'up', fd.path);
      const aliases = await sh(sb, 'ip', '-o', 'link', 'show');
      assert.match(aliases, /alias nslab@[0-9a-z]{7}:lb:net:lan/, 'root B tags its markers');
      assert.match(aliases, /alias nslab:ld:net:lan/, 'the default root keeps the old form');
      assert.equal((await nslabIn(sb, A, 'clean')).stdout, 'nothing to clean\n', "root A sees no leftovers in the others' labs");
      // Root A loses its lab's state: clean must remove exactly that lab, and nothing of B or the default root.
      await sh(sb, 'rm', '-rf', `${A}/la`);
      const listed = await nslabIn(sb, A, 'clean');
      assert.match(listed.stdout, /^lab la \(no state directory\):/m);
      assert.doesNotMatch(listed.stdout, /lab l[bd] /);
      await ok(sb, A, 'clean', '--yes');
      assert.doesNotMatch(await sh(sb, 'ip', 'netns', 'list'), /la-/, 'la is gone');
      await ok(sb, B, 'test', 'lb');
      await ok(sb, undefined, 'test', 'ld');
      assert.match(await sh(sb, 'nft', 'list', 'tables'), /nslab-lb[\s\S]*nslab-ld|nslab-ld[\s\S]*nslab-lb/, 'their nft tables are intact');
      await ok(sb, B, 'down', 'lb', '--wait');
      await ok(sb, undefined, 'down', 'ld', '--wait');
      assert.equal((await sh(sb, 'ip', 'netns', 'list')).trim(), '', 'down under each root removes its lab');
      assert.equal((await nslabIn(sb, B, 'clean')).stdout, 'nothing to clean\n');
      assert.equal((await nslabIn(sb, undefined, 'clean')).stdout, 'nothing to clean\n');
    } finally {
      for (const f of [fa, fb, fd]) f.done();
    }
  }));
