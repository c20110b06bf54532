// The verbs on the fakes (FakeKernel and FakeSystem), without root: up starts the network and the
// processes and journals them, down stops them by PID and start time (never a recycled PID),
// a process that exits before it is ready fails up with its output, and clean finds a lab whose
// journal is lost by its markers.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { test } from 'node:test';
import { removeLeftovers, scanLeftovers } from '../../../src/lab/clean.js';
import { down } from '../../../src/lab/down.js';
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
    assert.equal(procs.length, 2);
    // The isolated node's process is journaled as PID 1 of its namespace, with the outer one kept.
    const web = procs.find((p) => p.name === 'web')!;
    assert.ok(web.outer, 'the outer process is journaled too');
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
