// up after a complete up trusts the journal for namespaces whose part of the file did not change
// (it reads only the host and the changed ones); what it still repairs, and what needs --full.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { labFile, nslab, nslabOk, withSandbox } from './lab.js';

const LAB = (extra: string) => `name: tru
networks:
  lan: { subnet: 10.74.0.0/24, gateway: 10.74.0.1 }
nodes:
  a: { interfaces: { eth0: { network: lan, address: 10.74.0.11/24 } } }
  b: { interfaces: { eth0: { network: lan, address: 10.74.0.12/24 } } }
${extra}`;

const addrs = async (sb: Parameters<typeof nslab>[0], ns: string): Promise<string> =>
  (await sb.run(['ip', '-n', ns, '-4', '-o', 'addr', 'show', 'dev', 'eth0'])).stdout;

test('a trusted namespace changed by hand is repaired by up --full; lost namespaces and host ends always', (t) =>
  withSandbox(t, ['ping'], async (sb) => {
    const f = labFile(LAB(''));
    try {
      await nslabOk(sb, 'up', f.path);
      assert.match((await sb.run(['tail', '-n1', '/run/nslab/tru/journal.jsonl'])).stdout, /"t":"converged"/);
      // by hand, inside a namespace the file did not change: a plain up does not look there
      await sb.run(['ip', '-n', 'tru-a', 'addr', 'del', '10.74.0.11/24', 'dev', 'eth0']);
      assert.match(await nslabOk(sb, 'up', f.path), /up to date/);
      assert.doesNotMatch(await addrs(sb, 'tru-a'), /10\.74\.0\.11/);
      // the address, and the default route that went with it
      assert.match(await nslabOk(sb, 'up', f.path, '--full'), /2 change/);
      assert.match(await addrs(sb, 'tru-a'), /10\.74\.0\.11/);
      // a namespace or a host end removed by hand is noticed without --full
      await sb.run(['ip', 'netns', 'del', 'tru-b']);
      await sb.run(['ip', 'link', 'del', 'tru-a-eth0']);
      assert.doesNotMatch(await nslabOk(sb, 'up', f.path), /up to date/);
      for (const ns of ['tru-a', 'tru-b'])
        assert.equal((await sb.run(['ip', 'netns', 'exec', ns, 'ping', '-c1', '-W2', '10.74.0.1'])).code, 0, `${ns} cannot reach the gateway`);
      // a node added to the file: only it is built
      const g = labFile(LAB('  c: { interfaces: { eth0: { network: lan, address: 10.74.0.13/24 } } }\n'));
      try {
        const r = JSON.parse(await nslabOk(sb, 'up', g.path, '--json')) as { changes: number };
        assert.ok(r.changes > 0 && r.changes <= 8, `adding one node made ${r.changes} changes`);
        assert.equal((await sb.run(['ip', 'netns', 'exec', 'tru-c', 'ping', '-c1', '-W2', '10.74.0.11'])).code, 0);
      } finally {
        g.done();
      }
    } finally {
      await nslab(sb, 'down', 'tru', '--wait');
      f.done();
    }
  }));
