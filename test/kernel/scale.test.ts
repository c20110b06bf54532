// Root test at scale: 200 namespaces, each a veth to one bridge, an address, up and a default
// route, built by one run(). Checks the result with ip and ping, and reports the build time
// (notes/kernel.md: ~0.36 s for the C floor, 0.47-0.59 s for the koffi prototype).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { starAddress } from './fixtures/star.js';
import { drive, inSandbox, ipJson, pings, sh } from './helpers.js';

const N = Number(process.env['NSLAB_SCALE_N'] ?? 200);

for (const ipv6 of [false, true]) {
  test(`one run() builds a star of ${N} namespaces on one bridge (ipv6: ${ipv6})`, (t) =>
    inSandbox(t, ['ping'], async (sb) => {
      const [, star] = (await drive(sb, [{ open: {} }, { star: N, ipv6 }])) as [unknown, { seconds: number; ops: number; failed: unknown[] }];
      t.diagnostic(`${N} namespaces, ${star.ops} ops: ${star.seconds.toFixed(3)} s`);
      assert.deepEqual(star.failed, []);
      const ports = await ipJson<{ ifname: string; flags: string[] }[]>(sb, 'link', 'show', 'master', 'sbr0');
      assert.equal(ports.length, N);
      assert.ok(ports.every((p) => p.flags.includes('UP')));
      assert.equal((await sh(sb, 'ip', 'netns', 'list')).trim().split('\n').length, N);
      const last = `h${N}`;
      const routes = await ipJson<{ gateway?: string }[]>(sb, '-n', last, 'route', 'show', 'default');
      assert.deepEqual(
        routes.map((r) => r.gateway),
        ['10.77.0.1'],
      );
      const v6 = await ipJson<{ addr_info: unknown[] }[]>(sb, '-n', last, '-6', 'addr', 'show', 'eth0');
      assert.equal((v6[0]?.addr_info ?? []).length > 0, ipv6, 'a link-local address only with ipv6');
      assert.ok(await pings(sb, 'h1', '10.77.0.1'));
      assert.ok(await pings(sb, 'h1', starAddress(N)));
    }));
}
