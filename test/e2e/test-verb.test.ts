// `nslab test` end to end: expectations that hold, one broken by hand, reach:false both ways,
// tcp/udp probes against a listener started with `nslab exec`, and --all on a 50-node lab; a cut
// link and a firewall drop are still failures when the run pins its neighbour entries.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Sandbox } from '../helpers/sandbox.js';
import { BIN, FIXTURES, labFile, nslab, nslabJson, nslabOk, waitListening, withSandbox } from './lab.js';

type Row = { from: string; to: string; probe: string; ok: boolean; got: string; reason?: string };
type Result = { report: { rows: Row[]; passed: number; failed: number }; waves: number };

/** Start a TCP listener inside a node (through nslab exec) and wait until it listens. */
async function listen(sb: Sandbox, port: number): Promise<string> {
  const server = `require('net').createServer((s) => { s.on('error', () => {}); s.end(); }).listen(${port})`;
  const started = await sb.run(['sh', '-c', `"$0" exec checks db -- "$1" -e "$2" >/dev/null 2>&1 & echo $!`, BIN, process.execPath, server]);
  const pid = started.stdout.trim();
  await waitListening(sb, 'checks-db', port);
  return pid;
}

test('expectations hold (exit 0); a route removed by hand fails its row (exit 1); reach:false both ways; tcp and udp', (t) =>
  withSandbox(t, async (sb) => {
    await nslabOk(sb, 'up', join(FIXTURES, 'checks.yaml'));
    const pid = await listen(sb, 8080);
    try {
      const ok = await nslabJson<Result>(sb, 'test', 'checks');
      assert.equal(ok.code, 0, JSON.stringify(ok.value.report.rows.filter((r) => !r.ok)));
      assert.equal(ok.value.report.passed, 6);
      const udp = ok.value.report.rows.find((r) => r.probe === 'udp 9000');
      assert.equal(udp?.got, 'reached');
      const closed = ok.value.report.rows.find((r) => r.probe === 'tcp 8081');
      assert.match(closed?.reason ?? '', /refused/);
      const text = await nslabOk(sb, 'test', 'checks');
      assert.match(text, /6\/6 hold/);

      const wrong = await nslabJson<Result>(sb, 'test', join(FIXTURES, 'checks-wrong.yaml'));
      assert.equal(wrong.code, 1, 'a reach:false that does not hold fails');
      assert.deepEqual(
        wrong.value.report.rows.filter((r) => !r.ok).map((r) => `${r.from}>${r.to}`),
        ['db>far'],
      );

      assert.equal((await sb.run(['ip', '-n', 'checks-db', 'route', 'del', '10.30.0.0/30'])).code, 0);
      const broken = await nslab(sb, 'test', 'checks', '--timeout', '300');
      assert.equal(broken.code, 1);
      const failing = broken.stdout.split('\n').filter((l) => l.includes('FAIL'));
      assert.equal(failing.length, 1, broken.stdout);
      assert.match(failing[0]!, /^db\s+far/);
    } finally {
      await sb.run(['kill', pid]);
    }
    // The server itself still runs in db and would keep the namespace alive: down says so.
    const busy = await nslab(sb, 'down', 'checks');
    assert.equal(busy.code, 1);
    assert.match(busy.stderr, /processes still run inside its namespaces and keep them alive: (\d+) \(.*node/);
    const serverPid = /alive: (\d+)/.exec(busy.stderr)![1]!;
    await sb.run(['kill', serverPid]);
    await nslabOk(sb, 'down', 'checks');
  }));

test('--all on a 50-node lab reports every pair reachable, with zero false failures', (t) =>
  withSandbox(t, async (sb) => {
    const { path: file, done } = labFile(
      execFileSync(process.execPath, [join(BIN, '..', '..', 'bench', 'gen-star.mjs'), '50', 'star50'], { encoding: 'utf8' }),
    );
    try {
      await nslabOk(sb, 'up', file);
      const all = await nslabJson<Result>(sb, 'test', 'star50', '--all');
      assert.equal(all.value.report.rows.length, 50 * 49);
      assert.deepEqual(
        all.value.report.rows.filter((r) => !r.ok),
        [],
      );
      assert.equal(all.code, 0);
      await nslabOk(sb, 'down', 'star50');
    } finally {
      done();
    }
  }));

test('--all with pinned neighbours still fails a cut link and a firewall drop, exactly, and leaves no entry behind', (t) =>
  withSandbox(t, async (sb) => {
    // 40 nodes: 1560 neighbour entries, more than the shared table has room for: the run pins them.
    const { path: file, done } = labFile(execFileSync(process.execPath, [join(BIN, '..', '..', 'bench', 'gen-star.mjs'), '40', 'pin40'], { encoding: 'utf8' }));
    try {
      await nslabOk(sb, 'up', file);
      assert.equal((await sb.run(['ip', '-n', 'pin40-h3', 'link', 'set', 'eth0', 'down'])).code, 0);
      const drop = 'add table inet cut; add chain inet cut input { type filter hook input priority 0; }; add rule inet cut input icmp type echo-request drop';
      assert.equal((await sb.run(['ip', 'netns', 'exec', 'pin40-h5', 'nft', drop])).code, 0);
      const all = await nslabJson<Result & { notices: string[] }>(sb, 'test', 'pin40', '--all', '--timeout', '200', '--attempts', '2');
      assert.equal(all.code, 1);
      assert.match(all.value.notices.join('\n'), /permanent neighbour entries/);
      const failed = all.value.report.rows.filter((r) => !r.ok).map((r) => `${r.from}>${r.to}`);
      const expected = all.value.report.rows.filter((r) => r.from === 'h3' || r.to === 'h3' || r.to === 'h5').map((r) => `${r.from}>${r.to}`);
      assert.deepEqual(failed.sort(), expected.sort());
      assert.equal(failed.length, 39 * 2 + 38);
      // Every pin went away with the run: no permanent entry in any node nor on the bridge.
      const left = await sb.run([
        'sh',
        '-c',
        'ip neigh show nud permanent; for n in $(ip netns list | cut -d" " -f1); do ip -n "$n" neigh show nud permanent; done',
      ]);
      assert.equal(left.stdout.trim(), '');
      await nslabOk(sb, 'down', 'pin40');
    } finally {
      done();
    }
  }));
