// A new lab of 50 nodes or more gets its namespaces made ahead by a worker thread while the file
// is parsed (kernel/netns-pool.ts): the lab is the same as one built without, and nothing of the
// pool is named: its spares (an over-count) are only fds, closed when nslab is done.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { labFile, nslab, nslabOk, withSandbox } from './lab.js';

const star = (n: number): string => {
  const lines = ['name: pool', 'networks:', '  lan: { subnet: 10.75.0.0/16, gateway: 10.75.0.1 }', 'nodes:'];
  for (let i = 1; i <= n; i++) lines.push(`  h${i}: { interfaces: { eth0: { network: lan } } }`);
  // More `interfaces` words than nodes (a comment): the pool makes too many, and must drop the rest.
  lines.push(`# ${'interfaces '.repeat(40)}`);
  return lines.join('\n') + '\n';
};

test('a 60-node lab built with namespaces made ahead works, and leaves no namespace behind', (t) =>
  withSandbox(t, async (sb) => {
    const f = labFile(star(60));
    try {
      await nslabOk(sb, 'up', f.path);
      const names = (await sb.run(['ip', 'netns', 'list'])).stdout.trim().split('\n');
      assert.equal(names.length, 60);
      const gw = await nslab(sb, 'test', 'pool', '--gateways');
      assert.equal(gw.code, 0, gw.stdout + gw.stderr);
      // every node has its own namespace (no two names share one)
      const inodes = await sb.run(['sh', '-c', 'for n in $(ip netns list | cut -d" " -f1); do stat -L -c %i /run/netns/$n; done | sort -u | wc -l']);
      assert.equal(inodes.stdout.trim(), '60');
      await nslabOk(sb, 'down', 'pool', '--wait');
      assert.equal((await sb.run(['ip', 'netns', 'list'])).stdout.trim(), '');
    } finally {
      await nslab(sb, 'down', 'pool', '--wait');
      f.done();
    }
  }));
