// Host settings shared between labs (net.ipv4.ip_forward for NAT): concurrent downs must leave the
// setting as it was before the first lab, every time, and labs that play host in different
// namespaces (--host-netns) must never share (or restore) each other's settings.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sh } from '../helpers/checks.js';
import type { Sandbox } from '../helpers/sandbox.js';
import { labFile, nslab, nslabOk, withSandbox } from './lab.js';

/** A one-node NAT lab `n<i>` on 10.<100+i>.0.0/24 (distinct gateways, so all can be up at once). */
function natLab(i: number): string {
  return [
    `name: n${i}`,
    'networks:',
    `  lan: { subnet: 10.${100 + i}.0.0/24, gateway: 10.${100 + i}.0.1, nat: true }`,
    'nodes:',
    '  a:',
    '    interfaces:',
    `      eth0: { network: lan, address: 10.${100 + i}.0.2/24 }`,
    '',
  ].join('\n');
}

const forwarding = async (sb: Sandbox, ns?: string): Promise<string> =>
  (await sh(sb, ...(ns ? ['ip', 'netns', 'exec', ns] : []), 'cat', '/proc/sys/net/ipv4/ip_forward')).trim();

test('parallel downs of 2 to 10 NAT labs restore ip_forward to its original value, every round', (t) =>
  withSandbox(t, ['nft', 'libnftables'], async (sb) => {
    const files = Array.from({ length: 10 }, (_, i) => labFile(natLab(i)));
    try {
      assert.equal(await forwarding(sb), '0', 'a fresh sandbox namespace forwards nothing');
      for (const n of [2, 2, 3, 5, 10, 10]) {
        const labs = files.slice(0, n);
        // Parallel ups too: each must see the others' claims, or the last down restores a 1.
        const ups = await Promise.all(labs.map((f) => nslab(sb, 'up', f.path)));
        ups.forEach((r, i) => assert.equal(r.code, 0, `up n${i}: ${r.stderr}`));
        assert.equal(await forwarding(sb), '1');
        const downs = await Promise.all(labs.map((_, i) => nslab(sb, 'down', `n${i}`, '--wait')));
        downs.forEach((r, i) => assert.equal(r.code, 0, `down n${i}: ${r.stderr}`));
        assert.equal(await forwarding(sb), '0', `${n} labs down at once: ip_forward restored`);
      }
    } finally {
      for (const f of files) f.done();
    }
  }));

test("host settings are keyed by the namespace that plays host: --host-netns labs neither share nor restore the root's", (t) =>
  withSandbox(t, ['nft', 'libnftables'], async (sb) => {
    const [a, b, c] = [0, 1, 2].map((i) => labFile(natLab(i)));
    try {
      await sh(sb, 'ip', 'netns', 'add', 'hx');
      // The root lab n0 owns the root's ip_forward (prev 0); n1 and n2 share hx's (prev 0).
      await nslabOk(sb, 'up', a!.path);
      await nslabOk(sb, 'up', b!.path, '--host-netns', 'hx');
      await nslabOk(sb, 'up', c!.path, '--host-netns', 'hx');
      assert.equal(await forwarding(sb), '1');
      assert.equal(await forwarding(sb, 'hx'), '1');
      // The root lab's down restores the root, though labs elsewhere still "claim" ip_forward.
      await nslabOk(sb, 'down', 'n0');
      assert.equal(await forwarding(sb), '0', 'the root is restored: n1 and n2 play host in hx, not here');
      assert.equal(await forwarding(sb, 'hx'), '1', 'hx is not touched by the root lab');
      // Two labs in hx share its setting: the first down leaves it, the last restores it.
      await nslabOk(sb, 'down', 'n1');
      assert.equal(await forwarding(sb, 'hx'), '1', 'n2 still needs forwarding in hx');
      await nslabOk(sb, 'down', 'n2');
      assert.equal(await forwarding(sb, 'hx'), '0', 'the last lab in hx restores it');
      assert.equal(await forwarding(sb), '0');
      // And the other way round: a root lab going up while an hx lab runs takes the root's own value.
      await sh(sb, 'ip', 'netns', 'exec', 'hx', 'sysctl', '-qw', 'net.ipv4.ip_forward=1');
      await nslabOk(sb, 'up', b!.path, '--host-netns', 'hx');
      await nslabOk(sb, 'up', a!.path);
      await nslabOk(sb, 'down', 'n1');
      assert.equal(await forwarding(sb, 'hx'), '1', 'hx was 1 before n1: stays 1');
      await nslabOk(sb, 'down', 'n0');
      assert.equal(await forwarding(sb), '0', "root was 0 before n0 (not hx's 1)");
    } finally {
      for (const f of [a, b, c]) f!.done();
    }
  }));
