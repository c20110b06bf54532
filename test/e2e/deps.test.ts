// First contact with a host that lacks pieces: libnftables, nft, tcpdump and busybox are hidden
// inside the sandbox (its own mount namespace: /dev/null bind-mounted over each file that
// exists; nothing to hide where they are not installed), so this runs the same on a fresh machine
// and in CI. Each missing piece is one line naming it and its package, with exit 1 (127 for
// exec), never an internal error, and the host is left as it was.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Sandbox } from '../helpers/sandbox.js';
import { hideTools } from '../helpers/tools.js';
import { EXAMPLES, hostState, labFile, nslab, nslabOk, withSandbox } from './lab.js';

const hide = (sb: Sandbox, tools: readonly string[]): Promise<void> => hideTools((argv) => sb.run(argv), tools);
const hideNft = (sb: Sandbox): Promise<void> => hide(sb, ['libnftables', 'nft']);
const hideProgram = (sb: Sandbox, name: string): Promise<void> => hide(sb, [name]);

/** One line on stderr, no stack, no "internal error". */
function oneLine(stderr: string): string {
  assert.doesNotMatch(stderr, /internal error|\n\s+at /, stderr);
  const lines = stderr.trim().split('\n');
  assert.equal(lines.length, 1, stderr);
  return lines[0] ?? '';
}

test('without libnftables: a NAT lab is refused before anything changes, a dry run warns, and a lab without nftables works end to end', (t) =>
  withSandbox(t, async (sb) => {
    await hideNft(sb);
    const before = await hostState(sb);
    const nat = await nslab(sb, 'up', join(EXAMPLES, 'nat.yaml'));
    assert.equal(nat.code, 1, nat.stderr);
    assert.equal(
      oneLine(nat.stderr),
      'nslab: lab natlab: NAT (network br0) needs libnftables (Debian/Ubuntu: apt-get install libnftables1); nothing was changed',
    );
    assert.deepEqual(await hostState(sb), before, 'no namespace or link was made');
    assert.equal((await sb.run(['ls', '/run/nslab'])).stdout.trim(), '', 'no state or lock is left');
    const fw = await nslab(sb, 'up', join(EXAMPLES, 'firewall.yaml'));
    assert.equal(fw.code, 1);
    assert.match(oneLine(fw.stderr), /a firewall \(node web\) and published ports \(node web\) need libnftables/);

    const dry = await nslab(sb, 'up', '--dry-run', join(EXAMPLES, 'nat.yaml'));
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stderr, /^warning: up would refuse: NAT \(network br0\) needs libnftables/m);
    assert.match(dry.stdout, /nft -f -/, 'the plan is printed');

    await nslabOk(sb, 'up', join(EXAMPLES, 'bridge.yaml'));
    for (const argv of [
      ['show', 'bridge'],
      ['test', 'bridge'],
      ['trace', 'bridge', 'ns1', 'ns2'],
      ['ls'],
      ['clean', '--yes'],
      ['down', 'bridge'],
      ['clean', '--yes'],
    ]) {
      const r = await nslab(sb, ...argv);
      assert.equal(r.code, 0, `nslab ${argv.join(' ')}: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, /internal error/);
    }
    assert.deepEqual(await hostState(sb), before);
  }));

test('without tcpdump, capture says so in one line; a process or exec command that is not installed is named with its package', (t) =>
  withSandbox(t, async (sb) => {
    await hideProgram(sb, 'tcpdump');
    await hideProgram(sb, 'busybox');
    await nslabOk(sb, 'up', join(EXAMPLES, 'bridge.yaml'));
    const cap = await nslab(sb, 'capture', 'bridge', 'ns1', '-c', '1');
    assert.equal(cap.code, 1);
    assert.equal(oneLine(cap.stderr), 'nslab: capture needs tcpdump (apt-get install tcpdump)');
    const ex = await nslab(sb, 'exec', 'bridge', 'ns1', '--', 'busybox', 'true');
    assert.equal(ex.code, 127);
    assert.equal(oneLine(ex.stderr), 'nslab: busybox: command not found in node ns1 (apt-get install busybox)');
    await nslabOk(sb, 'down', 'bridge');

    const before = await hostState(sb);
    const f = labFile(`name: nobox
networks:
  lan: { subnet: 10.78.0.0/24 }
nodes:
  c1:
    isolate: [pid, mount, uts]
    interfaces: { eth0: { network: lan } }
    processes:
      - { name: web, command: [busybox, httpd, -f, -p, "80"] }
`);
    try {
      const r = await nslab(sb, 'up', f.path);
      assert.equal(r.code, 1);
      assert.equal(
        oneLine(r.stderr),
        "nslab: lab nobox: process c1.web: command not found: busybox (apt-get install busybox; nodes run the host's programs); nothing was changed",
      );
      assert.deepEqual(await hostState(sb), before, 'the network was not built');
    } finally {
      f.done();
    }
  }));
