// `ps` and `which` end to end: a process started inside one node (with iproute2, not nslab) is
// listed under that node only, and `which` finds its lab and node; processes outside every lab,
// missing PIDs and non-numbers are refused with exit statuses 1, 1 and 2.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Sandbox } from '../helpers/sandbox.js';
import { EXAMPLES, killByPid, nslab, nslabOk, withSandbox } from './lab.js';

type PsJson = { labs: Array<{ lab: string; nodes: Array<{ name: string; netns: string; processes: Array<{ pid: number; command: string; user: string }> }> }> };

/** Start `sleep` in the background inside a named netns; returns its PID (it outlives the shell). */
async function startSleeper(sb: Sandbox, netns: string, seconds: string): Promise<number> {
  const r = await sb.run(['ip', 'netns', 'exec', netns, 'sh', '-c', `sleep ${seconds} </dev/null >/dev/null 2>&1 & echo $!`]);
  assert.equal(r.code, 0, r.stderr);
  const pid = Number(r.stdout.trim());
  assert.ok(Number.isInteger(pid) && pid > 1, `no PID in ${JSON.stringify(r.stdout)}`);
  return pid;
}

test('ps lists a process under the node it runs in and no other; which names its lab and node', (t) =>
  withSandbox(t, async (sb) => {
    await nslabOk(sb, 'up', join(EXAMPLES, 'veth-pair.yaml'));
    const started: number[] = [];
    try {
      const pid = await startSleeper(sb, 'pair-ns1', '31');
      started.push(pid);
      const shown = JSON.parse(await nslabOk(sb, 'ps', 'pair', '--json')) as PsJson;
      const nodes = shown.labs.find((l) => l.lab === 'pair')?.nodes ?? [];
      const ns1 = nodes.find((n) => n.name === 'ns1');
      const ns2 = nodes.find((n) => n.name === 'ns2');
      assert.equal(ns1?.netns, 'pair-ns1');
      const proc = ns1?.processes.find((p) => p.pid === pid);
      assert.ok(proc, `pid ${pid} not under ns1: ${JSON.stringify(ns1)}`);
      assert.equal(proc.command, 'sleep 31');
      assert.equal(proc.user, 'root');
      assert.ok(!ns2?.processes.some((p) => p.pid === pid), 'listed under ns2 too');

      const all = JSON.parse(await nslabOk(sb, 'ps', '--json')) as PsJson;
      assert.ok(
        all.labs
          .find((l) => l.lab === 'pair')
          ?.nodes.find((n) => n.name === 'ns1')
          ?.processes.some((p) => p.pid === pid),
      );
      const text = await nslabOk(sb, 'ps', 'pair');
      assert.match(text, /pair\/ns1/);
      assert.match(text, new RegExp(`root\\s+${pid}\\s.*sleep 31`));

      const found = JSON.parse(await nslabOk(sb, 'which', String(pid), '--json')) as { lab: string; node: string; netns: string };
      assert.deepEqual([found.lab, found.node, found.netns], ['pair', 'ns1', 'pair-ns1']);
      assert.match(await nslabOk(sb, 'which', String(pid)), /lab pair, node ns1/);
    } finally {
      killByPid(started);
    }
    await nslabOk(sb, 'down', 'pair');
  }));

test('which refuses a process outside every lab (1), a missing PID (1) and a non-number (2)', (t) =>
  withSandbox(t, async (sb) => {
    await nslabOk(sb, 'up', join(EXAMPLES, 'veth-pair.yaml'));
    const outside = await nslab(sb, 'which', String(sb.pid));
    assert.equal(outside.code, 1, outside.stderr);
    const m = /process \d+ is not in any nslab lab \(its network namespace is net:\[(\d+)\], the host's is net:\[(\d+)\]\)/.exec(outside.stderr);
    assert.ok(m, outside.stderr);
    assert.equal(m[1], m[2], 'the sandbox shell is in the namespace nslab runs in');

    const pidMax = readFileSync('/proc/sys/kernel/pid_max', 'utf8').trim();
    const missing = await nslab(sb, 'which', pidMax);
    assert.equal(missing.code, 1, missing.stderr);
    assert.match(missing.stderr, new RegExp(`no process ${pidMax}`));

    for (const bad of ['abc', '-5', '0', '12x']) {
      const r = await nslab(sb, 'which', bad);
      assert.equal(r.code, 2, `which ${bad}: ${r.stderr}`);
    }
    await nslabOk(sb, 'down', 'pair');
  }));

test("ps and which show a process's escape sequences as text, never raw to the terminal", (t) =>
  withSandbox(t, async (sb) => {
    await nslabOk(sb, 'up', join(EXAMPLES, 'veth-pair.yaml'));
    const started: number[] = [];
    try {
      // $0 of the shell is what ps shows; a process may put anything in its argv.
      const evil = '\u001b]0;owned\u0007\u001b[2J\u009b31m';
      const r = await sb.run(['ip', 'netns', 'exec', 'pair-ns1', 'sh', '-c', `sh -c 'sleep 33' "$0" </dev/null >/dev/null 2>&1 & echo $!`, evil]);
      const pid = Number(r.stdout.trim());
      started.push(pid);
      const table = await nslabOk(sb, 'ps', 'pair');
      const which = await nslabOk(sb, 'which', String(pid));
      for (const out of [table, which]) {
        assert.doesNotMatch(out, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/, `raw control characters in:\n${JSON.stringify(out)}`);
        assert.ok(out.includes('\\x1b]0;owned\\x07\\x1b[2J\\x9b31m'), `the escapes are shown as text:\n${out}`);
      }
      // --json keeps the real argv (JSON escapes it) for programs.
      const json = JSON.parse(await nslabOk(sb, 'ps', 'pair', '--json')) as PsJson;
      assert.ok(json.labs[0]!.nodes.some((n) => n.processes.some((p) => p.command.includes(evil))));
    } finally {
      killByPid(started);
      await nslab(sb, 'down', 'pair');
    }
  }));
