// `logs` against a state directory: one process's log, all of a node's under headers, unknown
// nodes and processes refused, and a follow that prints what is appended until aborted. Also the
// journal's process records replay to the set still running.
import assert from 'node:assert/strict';
import type { StateRoot } from '../../../src/state/root.js';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { logs } from '../../../src/lab/logs.js';
import { HOLDER_SCRIPT, holderArgv, launchArgv as kernelLaunchArgv } from '../../../src/kernel/processes.js';
import type { Node, ProcessSpec } from '../../../src/model/types.js';
import { JournalWriter, replay } from '../../../src/state/journal.js';
import { ensureLabDir, labPaths, logPath, saveTopologyCopy } from '../../../src/state/store.js';
import { loadTopology } from '../../../src/model/load.js';
import { withStateDir } from '../helpers.js';

const LAB = `name: lg
networks:
  lan: { subnet: 10.0.0.0/24 }
nodes:
  a:
    isolate: [pid, mount, uts]
    interfaces: { eth0: { network: lan } }
    processes:
      - { name: one, command: [sleep, "1"] }
      - { name: two, command: [sh, -c, "echo $HOME; exit 1"], user: nobody }
  b:
    interfaces: { eth0: { network: lan } }
`;

function setup(root: StateRoot): void {
  ensureLabDir(root, 'lg');
  saveTopologyCopy(root, 'lg', LAB);
  mkdirSync(logPath(root, 'lg', 'a', 'one').replace(/\/[^/]+$/, ''), { recursive: true });
  writeFileSync(logPath(root, 'lg', 'a', 'one'), 'first\n');
  writeFileSync(logPath(root, 'lg', 'a', 'two'), 'second\n');
}

/** What `logs` prints for a node of lab lg (one process, or all of them). */
async function logText(root: StateRoot, node: string, process?: string): Promise<string> {
  let out = '';
  const write = (t: string): void => {
    out += t;
  };
  await logs({ state: root, lab: 'lg', node, ...(process === undefined ? {} : { process }), write });
  return out;
}

test('logs: one process, or all of a node under headers', () =>
  withStateDir(async (_dir, root) => {
    setup(root);
    assert.equal(await logText(root, 'a', 'two'), 'second\n');
    assert.equal(await logText(root, 'a'), '==> a.one <==\nfirst\n\n==> a.two <==\nsecond\n');
  }));

test('logs: unknown node, unknown process, a node without processes', () =>
  withStateDir(async (_dir, root) => {
    setup(root);
    await assert.rejects(logs({ state: root, lab: 'lg', node: 'x' }), /has no node x/);
    await assert.rejects(logs({ state: root, lab: 'lg', node: 'a', process: 'three' }), /has no process three \(processes: one, two\)/);
    await assert.rejects(logs({ state: root, lab: 'lg', node: 'b' }), /runs no processes/);
  }));

test('logs: processes started with nslab run, running (journal) or stopped since (log file only)', () =>
  withStateDir(async (_dir, root) => {
    setup(root);
    const w = new JournalWriter(root, labPaths(root, 'lg').journal);
    w.append([{ t: 'proc', node: 'b', name: 'web', pid: 999999, start: 1, spec: 'run:{}', adhoc: true }]);
    w.close();
    writeFileSync(logPath(root, 'lg', 'b', 'web'), 'serving\n');
    writeFileSync(logPath(root, 'lg', 'b', 'old'), 'stopped earlier\n');
    writeFileSync(logPath(root, 'lg', 'a', 'extra'), 'ad hoc in a\n');
    assert.equal(await logText(root, 'b', 'web'), 'serving\n');
    assert.equal(await logText(root, 'b'), '==> b.web <==\nserving\n\n==> b.old <==\nstopped earlier\n');
    assert.equal(await logText(root, 'a'), '==> a.one <==\nfirst\n\n==> a.two <==\nsecond\n\n==> a.extra <==\nad hoc in a\n');
    await assert.rejects(logs({ state: root, lab: 'lg', node: 'b', process: 'nope' }), /has no process nope \(processes: web, old\)/);
  }));

test('logs -f prints appended output until aborted', () =>
  withStateDir(async (_dir, root) => {
    setup(root);
    let out = '';
    const ctl = new AbortController();
    const done = logs({
      state: root,
      lab: 'lg',
      node: 'a',
      process: 'one',
      follow: true,
      signal: ctl.signal,
      pollMs: 10,
      write: (t) => {
        out += t;
      },
    });
    await new Promise((r) => setTimeout(r, 30));
    appendFileSync(logPath(root, 'lg', 'a', 'one'), 'more\n');
    const deadline = Date.now() + 2000;
    while (!out.includes('more') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    ctl.abort();
    await done;
    assert.equal(out, 'first\nmore\n');
  }));

/** The argv the Linux system runs a node's process with (kernel/processes.ts). */
function launchArgv(node: Node, p: ProcessSpec, join?: number): string[] {
  const isolate = { pid: node.isolate.has('pid'), mount: node.isolate.has('mount'), uts: node.isolate.has('uts') };
  return kernelLaunchArgv({
    isolate,
    command: p.command,
    ...(p.user === undefined ? {} : { user: p.user }),
    ...(join === undefined ? {} : { join }),
  });
}

test('launch argv: the holder unshares with private mounts and gets the hostname as a parameter; processes join it', () => {
  const t = loadTopology(LAB, 'lg.yaml').topology!;
  const a = t.nodes.get('a')!;
  const [one, two] = a.processes;
  assert.deepEqual(holderArgv({ isolate: { pid: true, mount: true, uts: true }, hostname: 'a' }), [
    'unshare',
    '--pid',
    '--fork',
    '--kill-child',
    '--mount-proc',
    '--mount',
    '--propagation',
    'private',
    '--uts',
    '--',
    'sh',
    '-c',
    HOLDER_SCRIPT,
    'nslab-holder',
    'a',
  ]);
  // Without uts isolation no hostname is set (the script skips an empty one).
  assert.deepEqual(holderArgv({ isolate: { pid: false, mount: true, uts: false }, hostname: 'a' }).slice(0, 5), [
    'unshare',
    '--mount',
    '--propagation',
    'private',
    '--',
  ]);
  assert.equal(holderArgv({ isolate: { pid: false, mount: true, uts: false }, hostname: 'a' }).at(-1), '');
  assert.deepEqual(launchArgv(a, one!, 41), ['nsenter', '-t', '41', '--pid', '--mount', '--uts', '--', 'sleep', '1']);
  assert.deepEqual(launchArgv(a, two!, 42), [
    'nsenter',
    '-t',
    '42',
    '--pid',
    '--mount',
    '--uts',
    '--',
    'runuser',
    '-u',
    'nobody',
    '--',
    'sh',
    '-c',
    'echo $HOME; exit 1',
  ]);
  assert.throws(() => launchArgv(a, one!), /join is required/);
  assert.deepEqual(launchArgv(t.nodes.get('b')!, { name: 'x', command: ['sleep', '1'], span: { line: 1, col: 1 } }), ['sleep', '1']);
});

test('journal: proc records replay to the processes not yet gone', () => {
  const s = replay([
    { t: 'proc', node: 'a', name: 'one', pid: 10, start: 5, spec: '{}' },
    { t: 'proc', node: 'a', name: 'two', pid: 11, start: 6, spec: '{}' },
    { t: 'proc-gone', pid: 10 },
  ]);
  assert.deepEqual([...s.procs.keys()], [11]);
});
