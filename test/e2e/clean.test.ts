// `nslab clean` (issue 7): a lab whose state is lost or whose journal is damaged is found by
// nslab's own markers and removed with --yes, leaving the sandbox exactly as before the lab;
// foreign objects (a namespace, links without or with a foreign alias, nft tables) and a healthy
// lab survive; without --yes nothing is removed (exit 1). Also: down removes a state dir without
// a journal (an up killed before its first journal write).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Sandbox } from '../helpers/sandbox.js';
import { killByPid, labFile, leftoverSnapshot, nslab, nslabOk, processAlive, recordedProcesses, settlesTo, withSandbox } from './lab.js';

const TOPO = (name: string, net: string): string =>
  [
    `name: ${name}`,
    'networks:',
    `  lan: { subnet: ${net}.0/24, gateway: ${net}.1, nat: true }`,
    'nodes:',
    '  web:',
    `    interfaces: { eth0: { network: lan, address: ${net}.10/24 } }`,
    '    firewall: { input: { policy: drop, allow: [ { proto: icmp }, { proto: tcp, dport: 8080 } ] } }',
    '    publish: ["8080:8080/tcp"]',
    '    processes:',
    '      - { name: idle, command: [sleep, "1000"] }',
    '  h1: { interfaces: { eth0: { network: lan } } }',
    '',
  ].join('\n');

const snapshot = (sb: Sandbox): Promise<string> => leftoverSnapshot(sb);

async function sh(sb: Sandbox, script: string): Promise<void> {
  const r = await sb.run(['sh', '-c', script]);
  assert.equal(r.code, 0, `${script}: ${r.stderr}`);
}

/** `nslab clean` without --yes: lists the lab's leftovers, removes nothing, exits 1. */
async function listsOnly(sb: Sandbox, lab: string, reason: string, must: string[]): Promise<void> {
  const before = await snapshot(sb);
  const r = await nslab(sb, 'clean');
  assert.equal(r.code, 1, `clean without --yes exits 1: ${r.stdout}${r.stderr}`);
  assert.match(r.stdout, new RegExp(`lab ${lab} \\(${reason}\\)`));
  for (const m of must) assert.ok(r.stdout.includes(m), `clean lists ${m}:\n${r.stdout}`);
  assert.match(r.stderr, /--yes/);
  assert.doesNotMatch(r.stdout, /lab ok /, 'the healthy lab is not listed');
  assert.equal(await snapshot(sb), before, 'clean without --yes changes nothing');
  const j = await nslab(sb, 'clean', '--json');
  assert.equal(j.code, 1);
  const v = JSON.parse(j.stdout) as { leftovers: Array<{ lab: string }> };
  assert.deepEqual(
    v.leftovers.map((l) => l.lab),
    [lab],
  );
}

test('clean removes a lost and a damaged lab by their markers, and nothing else', async (t) => {
  await withSandbox(t, ['nft', 'libnftables'], async (sb) => {
    const f = labFile(TOPO('cl', '10.91.0'));
    const ok = labFile(TOPO('ok', '10.92.0'));
    const pids: number[] = [];
    try {
      // Foreign objects: none carries an nslab marker (a table named like one lacks the comment).
      await sh(
        sb,
        'ip netns add other && ip link add foo type bridge && ip link add bar type bridge && ip link set bar alias notnslab' +
          ' && nft add table inet foreign && nft add table inet nslab-zz',
      );
      assert.equal((await nslab(sb, 'clean')).stdout, 'nothing to clean\n');
      const baseline = await snapshot(sb);
      await nslabOk(sb, 'up', ok.path);
      pids.push(...(await recordedProcesses(sb, 'ok')).map((p) => p.pid));
      const withOk = await snapshot(sb);

      // 1. The state is lost (its process is stopped by hand: no journal records it any more).
      await nslabOk(sb, 'up', f.path);
      killByPid((await recordedProcesses(sb, 'cl')).map((p) => p.pid));
      await sh(sb, 'rm -rf /run/nslab/cl');
      await listsOnly(sb, 'cl', 'no state directory', [
        'namespace cl-web',
        'host link cl-lan',
        'nft table inet nslab-cl',
        'hosts file /etc/netns/cl-h1/hosts',
        'lock file',
      ]);
      await nslabOk(sb, 'clean', '--yes');
      await settlesTo(sb, withOk, 'lost state');

      // 2. The journal is damaged: garbage instead of its first lines (the meta record included).
      await nslabOk(sb, 'up', f.path);
      const procs = (await recordedProcesses(sb, 'cl')).map((p) => p.pid);
      assert.ok(procs.length > 0 && procs.every(processAlive));
      pids.push(...procs);
      await sh(sb, 'j=/run/nslab/cl/journal.jsonl && { echo "garbage {"; echo "\\x00\\x01 not json"; tail -n +4 $j; } > $j.new && mv $j.new $j');
      await listsOnly(sb, 'cl', 'damaged journal', ['namespace cl-h1', 'process web.idle', 'state /run/nslab/cl']);
      await nslabOk(sb, 'clean', '--yes');
      await settlesTo(sb, withOk, 'damaged journal');
      assert.ok(!procs.some(processAlive), 'the recorded processes are stopped');

      // The healthy lab was never touched, and down still removes it completely.
      assert.ok(pids.slice(0, 1).every(processAlive), 'the healthy lab keeps its process');
      assert.equal((await nslab(sb, 'clean')).stdout, 'nothing to clean\n');
      await nslabOk(sb, 'down', 'ok', '--wait');
      await settlesTo(sb, baseline, 'after down of the healthy lab');
    } finally {
      killByPid(pids);
      f.done();
      ok.done();
    }
  });
});

test('a state dir without a journal (up killed before its first write): clean reports it, down removes it', async (t) => {
  await withSandbox(t, async (sb) => {
    const baseline = await snapshot(sb);
    await sh(sb, 'mkdir -p /run/nslab/gone');
    const r = await nslab(sb, 'clean');
    assert.equal(r.code, 1);
    assert.match(r.stdout, /lab gone \(state directory without a journal\)/);
    await nslabOk(sb, 'down', 'gone');
    await settlesTo(sb, baseline, 'down of a lab without a journal');
    await sh(sb, 'mkdir -p /run/nslab/gone');
    await nslabOk(sb, 'clean', '--yes');
    await settlesTo(sb, baseline, 'clean of a lab without a journal');
  });
});
