// The verbs on the fakes (FakeKernel and FakeSystem), without root: up starts the network and the
// processes and journals them, down stops them by PID and start time (never a recycled PID),
// a process that exits before it is ready fails up with its output, and clean finds a lab whose
// journal is lost by its markers.
import assert from 'node:assert/strict';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { removeLeftovers, scanLeftovers } from '../../../src/lab/clean.js';
import { down } from '../../../src/lab/down.js';
import { hostLockPath } from '../../../src/lab/lock.js';
import { exec } from '../../../src/lab/exec.js';
import type { NslabError } from '../../../src/util/errors.js';
import { up } from '../../../src/lab/up.js';
import { labJournal, labPaths } from '../../../src/state/store.js';
import { FakeKernel } from '../../helpers/fake-kernel.js';
import { FakeSystem } from '../../helpers/fake-system.js';
import { withStateDir, writeLab } from '../helpers.js';

const LAB = `name: sy
networks:
  lan: { subnet: 10.9.0.0/24 }
nodes:
  a:
    isolate: [pid, mount, uts]
    interfaces: { eth0: { network: lan } }
    processes:
      - { name: web, command: [server, "8080"] }
  b:
    interfaces: { eth0: { network: lan } }
    processes:
      - { name: side, command: [sleep, "1000"] }
`;

function fakes(): { kernel: FakeKernel; system: FakeSystem; opts: { openKernel: () => FakeKernel; system: FakeSystem } } {
  const kernel = new FakeKernel();
  const system = new FakeSystem(kernel);
  return { kernel, system, opts: { openKernel: () => kernel, system } };
}

test('up on the fakes: the network is built, the processes are started in their nodes and journaled', () =>
  withStateDir(async (dir, state) => {
    const { kernel, system, opts } = fakes();
    const r = await up({ file: writeLab(dir, LAB), ...opts, state });
    assert.deepEqual(kernel.netnsList().sort(), ['sy-a', 'sy-b']);
    assert.deepEqual([...(r.processes?.started ?? [])].sort(), ['a.web', 'b.side']);
    const launched = system.history.filter((p) => p.spec !== undefined);
    assert.ok(launched.some((p) => p.spec?.netns === 'sy-a' && p.spec.isolate.pid && p.spec.hostname === 'a'));
    assert.ok(launched.some((p) => p.spec?.netns === 'sy-b' && !p.spec.isolate.pid));
    const procs = [...labJournal(state, 'sy').procs.values()];
    assert.equal(procs.length, 3);
    // The isolated node's namespaces are held by a holder, journaled like a process, that the process joined.
    const holder = procs.find((p) => p.holder)!;
    assert.equal(holder.node, 'a');
    assert.ok(holder.outer, "the holder's outer process is journaled too");
    assert.deepEqual(
      system.holders.map((h) => [h.spec.netns, h.spec.hostname, h.spec.isolate]),
      [['sy-a', 'a', { pid: true, mount: true, uts: true }]],
    );
    const web = procs.find((p) => p.name === 'web')!;
    assert.ok(web.outer, 'the outer process is journaled too');
    assert.equal(launched.find((p) => p.spec?.netns === 'sy-a')?.spec?.join, holder.pid, 'the process joined the holder');
    assert.equal(launched.find((p) => p.spec?.netns === 'sy-b')?.spec?.join, undefined);
    assert.ok(system.processes.alive(web));
    assert.ok(labJournal(state, 'sy').keeper, 'a log keeper is journaled');
    // A second up changes nothing and leaves the processes alone.
    const again = await up({ file: writeLab(dir, LAB), ...opts, state });
    assert.deepEqual(again.commands, []);
    assert.deepEqual(again.processes?.started, []);
    assert.equal(again.processes?.unchanged, 2);
  }));

test('down on the fakes: everything removed, processes signalled by PID and start time, a recycled PID never', () =>
  withStateDir(async (dir, state) => {
    const { kernel, system, opts } = fakes();
    await up({ file: writeLab(dir, LAB), ...opts, state });
    const procs = [...labJournal(state, 'sy').procs.values()];
    const side = procs.find((p) => p.name === 'side')!;
    const web = procs.find((p) => p.name === 'web')!;
    // side died, and the kernel gave its PID to someone else meanwhile.
    const stranger = system.recycle(side.pid);
    const r = await down({ target: 'sy', ...opts, state });
    assert.equal(r.wasUp, true);
    assert.deepEqual(kernel.netnsList(), []);
    assert.equal(kernel.snapshot('@host')?.links.filter((l) => l.name !== 'lo').length, 0);
    assert.deepEqual(stranger.signals, [], 'the process that now has the PID was not signalled');
    assert.ok(system.sent.some((s) => s.pid === web.pid && s.start === web.start && s.sig === 'SIGTERM'));
    assert.ok(!system.processes.alive(web));
    const keeper = system.history.find((p) => p.argv.some((a) => a.endsWith('log-keeper-main.js')));
    assert.ok(keeper && !keeper.running, 'the log keeper was stopped');
    assert.deepEqual(system.heldLocks.size, 0, 'no lock is left held');
  }));

test('down of the last lab removes a host lock file an up killed while holding it left behind', () =>
  withStateDir(async (dir, state) => {
    const { opts } = fakes();
    await up({ file: writeLab(dir, LAB), ...opts, state });
    // As if an up had been killed holding the host lock before it recorded any host setting.
    writeFileSync(hostLockPath(state), '', { mode: 0o600 });
    await down({ target: 'sy', ...opts, state });
    assert.equal(existsSync(hostLockPath(state)), false);
  }));

test('up on the fakes: a process that exits before it is ready fails up with its output and is journaled as failed', () =>
  withStateDir(async (dir, state) => {
    const { system, opts } = fakes();
    system.behave = (cmd) => (cmd[0] === 'server' ? { output: 'bind: address in use\n', exitCode: 1 } : {});
    const text = LAB.replace('command: [server, "8080"] }', 'command: [server, "8080"], ready: { tcp: 8080 } }');
    await assert.rejects(up({ file: writeLab(dir, text), ...opts, state }), (e: Error) => {
      assert.match(e.message, /process a\.web \(server 8080\) exited with status 1 before it was ready \(ready: \{ tcp: 8080 \}\)/);
      assert.match(e.message, /bind: address in use/);
      return true;
    });
    assert.ok(labJournal(state, 'sy').failed.has('a.web') || [...labJournal(state, 'sy').failed.keys()].some((k) => k.includes('web')));
  }));

test('clean on the fakes: a lab whose journal is lost is found by its markers and removed', () =>
  withStateDir(async (dir, state) => {
    const { kernel, opts } = fakes();
    await up({ file: writeLab(dir, LAB.replace(/ {4}processes:\n.*\n/g, '')), ...opts, state });
    rmSync(labPaths(state, 'sy').journal);
    const found = await scanLeftovers({ ...opts, state });
    const sy = found.find((l) => l.lab === 'sy');
    assert.ok(sy, 'the lab is found');
    assert.deepEqual([...sy.netns].sort(), ['sy-a', 'sy-b']);
    const out = await removeLeftovers(['sy'], { ...opts, state });
    assert.equal(out[0]?.error, undefined);
    assert.deepEqual(kernel.netnsList(), []);
    assert.deepEqual(await scanLeftovers({ ...opts, state }), []);
  }));

const ISOLATED = `name: ho
networks:
  lan: { subnet: 10.9.1.0/24 }
nodes:
  a:
    isolate: [uts]
    hostname: second
    interfaces: { eth0: { network: lan } }
  b:
    isolate: [pid, mount, uts]
    interfaces: { eth0: { network: lan } }
    processes:
      - { name: zebra, command: [zebra], ready: { command: [zebra-up] } }
      - { name: ospfd, command: [ospfd] }
  c:
    interfaces: { eth0: { network: lan } }
    processes:
      - { name: web, command: [web, "1"] }
`;

test('holder on the fakes: an isolated node without processes gets one, exec joins it, down stops it after the processes', () =>
  withStateDir(async (dir, state) => {
    const { system, opts } = fakes();
    await up({ file: writeLab(dir, ISOLATED), ...opts, state });
    const procs = [...labJournal(state, 'ho').procs.values()];
    const holders = procs.filter((p) => p.holder);
    assert.deepEqual(holders.map((h) => h.node).sort(), ['a', 'b']);
    const ha = holders.find((h) => h.node === 'a')!;
    assert.equal(ha.outer, undefined, 'without pid isolation the holder is the process started');
    assert.deepEqual(system.holders.find((h) => h.spec.netns === 'ho-a')?.spec, {
      netns: 'ho-a',
      isolate: { pid: false, mount: false, uts: true },
      hostname: 'second',
    });
    // exec into the node without processes enters the holder's namespaces.
    assert.equal(await exec({ lab: 'ho', node: 'a', argv: ['hostname'], ...opts, state }), 0);
    assert.deepEqual(system.execs.at(-1), { netns: 'ho-a', join: ha.pid, argv: ['hostname'] });
    // A node without isolation: exec joins nothing.
    await exec({ lab: 'ho', node: 'c', argv: ['hostname'], ...opts, state });
    assert.equal(system.execs.at(-1)?.join, undefined);
    // Within a node, declaration order: zebra (and its ready check) before ospfd.
    const launched = system.history.filter((p) => p.spec?.netns === 'ho-b').map((p) => p.spec!.command[0]);
    assert.deepEqual([...new Set(launched)], ['zebra', 'ospfd']);
    const hb = holders.find((h) => h.node === 'b')!;
    assert.ok(system.history.filter((p) => p.spec?.netns === 'ho-b').every((p) => p.spec?.join === hb.pid));
    assert.deepEqual(system.checks, ['ho-b zebra-up']);
    const before = system.sent.length;
    await down({ target: 'ho', ...opts, state });
    const sent = system.sent.slice(before).filter((s) => !s.group && procs.some((p) => p.pid === s.pid));
    const order = sent.map((s) => (holders.some((h) => h.pid === s.pid) ? 'holder' : 'process'));
    assert.ok(order.lastIndexOf('process') < order.indexOf('holder'), `holders after processes: ${order.join(' ')}`);
    for (const h of holders) assert.ok(!system.processes.alive(h));
    assert.equal(labJournal(state, 'ho').procs.size, 0);
  }));

test('holder on the fakes: exec into an isolated node whose holder died says so instead of running on the host', () =>
  withStateDir(async (dir, state) => {
    const { system, opts } = fakes();
    await up({ file: writeLab(dir, ISOLATED), ...opts, state });
    const ha = [...labJournal(state, 'ho').procs.values()].find((p) => p.holder && p.node === 'a')!;
    system.die(ha.pid);
    await assert.rejects(
      exec({ lab: 'ho', node: 'a', argv: ['hostname'], ...opts, state }),
      (e: NslabError) => e.code === 'no-holder' && /run `nslab up`/.test(e.message),
    );
    // The next up makes the namespaces again.
    const r = await up({ file: writeLab(dir, ISOLATED), ...opts, state });
    assert.deepEqual(r.processes?.started, []);
    assert.equal(system.holders.filter((h) => h.spec.netns === 'ho-a').length, 2);
    assert.equal(await exec({ lab: 'ho', node: 'a', argv: ['hostname'], ...opts, state }), 0);
  }));

test('restart on the fakes: a changed process restarts alone; a changed hostname makes the node again with all its processes', () =>
  withStateDir(async (dir, state) => {
    const { system, opts } = fakes();
    await up({ file: writeLab(dir, ISOLATED), ...opts, state });
    const first = [...labJournal(state, 'ho').procs.values()];
    const r = await up({ file: writeLab(dir, ISOLATED.replace('command: [ospfd]', 'command: [ospfd, -d]')), ...opts, state });
    assert.deepEqual(r.processes?.started, ['b.ospfd']);
    assert.deepEqual(r.processes?.stopped, ['b.ospfd']);
    assert.equal(r.processes?.unchanged, 2);
    const after = [...labJournal(state, 'ho').procs.values()];
    for (const name of ['@holder', 'zebra', 'web']) {
      assert.deepEqual(
        after.filter((p) => p.name === name).map((p) => p.pid),
        first.filter((p) => p.name === name).map((p) => p.pid),
        `${name} kept`,
      );
    }
    const again = await up({
      file: writeLab(
        dir,
        ISOLATED.replace('command: [ospfd]', 'command: [ospfd, -d]').replace('isolate: [pid, mount, uts]\n', 'isolate: [pid, mount, uts]\n    hostname: bee\n'),
      ),
      ...opts,
      state,
    });
    assert.deepEqual([...(again.processes?.started ?? [])].sort(), ['b.ospfd', 'b.zebra']);
    assert.equal(system.holders.filter((h) => h.spec.netns === 'ho-b').at(-1)?.spec.hostname, 'bee');
    assert.equal([...labJournal(state, 'ho').procs.values()].filter((p) => p.holder).length, 2, 'the old holder of b is gone from the journal');
    // No longer isolated: the holder goes.
    const plain = await up({ file: writeLab(dir, ISOLATED.replace('    isolate: [uts]\n    hostname: second\n', '')), ...opts, state });
    assert.equal(plain.processes?.started.length, 2);
    assert.deepEqual(
      [...labJournal(state, 'ho').procs.values()].filter((p) => p.holder).map((p) => p.node),
      ['b'],
    );
  }));

test('concurrency on the fakes: a ready check may wait for a process of another node, declared later', () =>
  withStateDir(async (dir, state) => {
    const { system, opts } = fakes();
    // x's ready check passes only once y's server runs: started one node at a time, x would time out.
    system.behave = (cmd) => (cmd[0] === 'needs-y' ? { ready: system.history.some((p) => p.running && p.spec?.command[0] === 'y-server') } : {});
    const text = `name: cc
networks:
  lan: { subnet: 10.9.2.0/24 }
nodes:
  x:
    interfaces: { eth0: { network: lan } }
    processes:
      - { name: client, command: [client], ready: { command: [needs-y] }, ready_timeout: 2 }
  y:
    interfaces: { eth0: { network: lan } }
    processes:
      - { name: server, command: [y-server] }
`;
    const t0 = Date.now();
    const r = await up({ file: writeLab(dir, text), ...opts, state });
    assert.deepEqual([...(r.processes?.started ?? [])].sort(), ['x.client', 'y.server']);
    assert.ok(Date.now() - t0 < 1500, `took ${Date.now() - t0} ms`);
  }));

test('settle on the fakes: processes without a ready check share one window; one that exited fails up', () =>
  withStateDir(async (dir, state) => {
    const { system, opts } = fakes();
    const nodes = Array.from(
      { length: 10 },
      (_, i) =>
        `  n${i}:\n    interfaces: { eth0: { network: lan } }\n    processes:\n      - { name: one, command: [one] }\n      - { name: two, command: [two] }\n`,
    ).join('');
    const text = `name: st\nnetworks:\n  lan: { subnet: 10.9.3.0/24 }\nnodes:\n${nodes}`;
    const t0 = Date.now();
    const r = await up({ file: writeLab(dir, text), ...opts, state });
    assert.equal(r.processes?.started.length, 20);
    assert.ok(Date.now() - t0 < 2000, `20 processes took ${Date.now() - t0} ms (a window each would be 6 s)`);
    await down({ target: 'st', ...opts, state });
    system.behave = (cmd) => (cmd[0] === 'two' ? { output: 'no config\n', exitCode: 2 } : {});
    await assert.rejects(up({ file: writeLab(dir, text.replace('n3:', 'n3:')), ...opts, state }), (e: Error) => {
      assert.match(e.message, /process n\d\.two \(two\) exited with status 2/);
      assert.match(e.message, /no config/);
      assert.match(e.message, /also failed \(9\)/);
      return true;
    });
    assert.equal(labJournal(state, 'st').failed.size, 10);
  }));

test('holder on the fakes: a holder that does not come up fails up and is journaled as failed', () =>
  withStateDir(async (dir, state) => {
    const { system, opts } = fakes();
    system.holdFails = 'hostname: permission denied';
    await assert.rejects(up({ file: writeLab(dir, ISOLATED), ...opts, state }), (e: Error) =>
      /node [ab]: could not make its namespaces .*permission denied/.test(e.message),
    );
    assert.ok(labJournal(state, 'ho').failed.has('a.@holder'));
    assert.equal([...labJournal(state, 'ho').procs.values()].filter((p) => p.holder).length, 0);
  }));

const FILES = `name: fi
networks:
  lan: { subnet: 10.9.4.0/24 }
nodes:
  r1:
    interfaces: { eth0: { network: lan } }
    files:
      - { path: /etc/frr/frr.conf, content: "router ospf\\n", mode: "0640", owner: "frr:frr" }
      - { path: /var/tmp/frr, dir: true }
    exec:
      - setup-one
      - { command: [after-one], after: processes }
    processes:
      - { name: zebra, command: [zebra] }
  r2:
    interfaces: { eth0: { network: lan } }
    processes:
      - { name: web, command: [web] }
`;

test('files and steps on the fakes: placed through a new holder before the processes, steps once; a change restarts only that node', () =>
  withStateDir(async (dir, state) => {
    const { system, opts } = fakes();
    await up({ file: writeLab(dir, FILES), ...opts, state });
    const procs = [...labJournal(state, 'fi').procs.values()];
    const holder = procs.find((p) => p.holder && p.node === 'r1');
    assert.ok(holder, 'a node with files gets a holder (its own mount namespace)');
    const kinds = system.runs.map((r) => (r.command[0] === 'sh' ? 'place' : r.command[0]));
    assert.deepEqual(kinds, ['place', 'setup-one', 'after-one']);
    assert.ok(system.runs.every((r) => r.join === holder.pid));
    assert.match(system.runs[0]!.command[2]!, /chown 'frr:frr' '\/etc\/frr\/frr.conf'/);
    // The steps ran around the process: setup-one before zebra was launched, after-one after.
    assert.equal(labJournal(state, 'fi').steps.get('r1')?.size, 2);
    // Nothing changed: nothing runs again.
    const again = await up({ file: writeLab(dir, FILES), ...opts, state });
    assert.deepEqual(again.processes?.started, []);
    assert.equal(system.runs.length, 3);
    // The file's content changed: r1's namespaces are made again, its files placed, its steps and
    // processes run again; r2 is left alone.
    const web = procs.find((p) => p.name === 'web')!;
    const changed = await up({ file: writeLab(dir, FILES.replace('router ospf', 'router bgp')), ...opts, state });
    assert.deepEqual(changed.processes?.started, ['r1.zebra']);
    assert.equal(system.runs.length, 6);
    assert.match(system.runs[3]!.command[2]!, /cp /);
    assert.ok(system.processes.alive(web), 'r2 untouched');
    assert.ok(!system.processes.alive(holder), 'the old holder is stopped');
  }));

test('steps on the fakes: a failing step fails up with its output, and runs again on the next up', () =>
  withStateDir(async (dir, state) => {
    const { system, opts } = fakes();
    system.behave = (cmd) => (cmd[0] === 'setup-one' ? { exitCode: 3, output: 'no such table\n' } : {});
    await assert.rejects(up({ file: writeLab(dir, FILES), ...opts, state }), (e: NslabError) => {
      assert.equal(e.code, 'setup-failed');
      assert.match(e.message, /node r1: exec step 1 \(setup-one\) exited with status 3; its output:\n {2}no such table/);
      return true;
    });
    system.behave = () => ({});
    await up({ file: writeLab(dir, FILES), ...opts, state });
    assert.equal(system.runs.filter((r) => r.command[0] === 'setup-one').length, 2);
  }));
