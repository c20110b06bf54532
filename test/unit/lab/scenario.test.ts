// The scenario runner on the fakes, with short intervals on the real monotonic clock: a link set
// down and up through the kernel port shows as one outage of about that length, every change is
// undone at the end and on an abort (Ctrl-C), a failing step stops the run and undoes the others.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runScenario, scenario } from '../../../src/lab/scenario.js';
import type { Impairment, ScenarioEnd, StepActions } from '../../../src/lab/scenario.js';
import { monotonic } from '../../../src/lab/scenario.js';
import { up } from '../../../src/lab/up.js';
import type { ProbeSpec } from '../../../src/port/probe.js';
import type { Scenario } from '../../../src/verify/scenario.js';
import { FakeKernel } from '../../helpers/fake-kernel.js';
import { FakeSystem } from '../../helpers/fake-system.js';
import { withStateDir, writeLab } from '../helpers.js';

const LAB = `name: sc
nodes:
  a: { interfaces: { eth0: { peer: "b:eth0", address: 10.7.0.1/30 } } }
  b: { interfaces: { eth0: { peer: "a:eth0", address: 10.7.0.2/30 } } }
`;

const SCENARIO = `lab: sc
probe: [ { from: a, to: b } ]
interval: 10ms
steps:
  - { at: 100ms, link: "a:eth0", down: true }
  - { at: 300ms, link: "a:eth0", down: false }
  - { at: 450ms, end: true }
expect: [ { probe: 0, max_outage: 400ms }, { probe: 0, recovers_within: 100ms, after: 1 } ]
`;

/** A prober that reaches only while both ends of a's link are up in the fake kernel. */
function linkProber(kernel: FakeKernel) {
  return async (specs: readonly ProbeSpec[]) =>
    specs.map((s) => {
      const up = ['sc-a', 'sc-b'].every((ns) => kernel.snapshot(ns)?.links.find((l) => l.name === 'eth0')?.up === true);
      return { id: s.id, reached: up, attempts: 1, sent: 1, received: up ? 1 : 0, ...(up ? {} : { reason: 'timeout' }) };
    });
}

const linkUp = (kernel: FakeKernel): boolean | undefined => kernel.snapshot('sc-a')?.links.find((l) => l.name === 'eth0')?.up;

test('link down then up: one outage of about the time it was down, limits checked, the link up after', () =>
  withStateDir(async (dir, state) => {
    const kernel = new FakeKernel();
    const system = new FakeSystem(kernel);
    await up({ file: writeLab(dir, LAB), openKernel: () => kernel, system, state });
    const seen: string[] = [];
    const r = await scenario({
      state,
      file: writeLab(dir, SCENARIO, 'scn.yaml'),
      openKernel: () => kernel,
      system,
      prober: linkProber(kernel),
      onEvent: (e) => seen.push(e.kind),
    });
    const [flow] = r.flows;
    assert.equal(flow?.outages.length, 1, JSON.stringify(flow?.outages));
    const o = flow.outages[0]!;
    assert.ok(Math.abs(o.startMs - 100) <= 30 && Math.abs(o.ms - 200) <= 40, JSON.stringify(o));
    assert.equal(r.ok, true, JSON.stringify(r.limits));
    assert.deepEqual(seen.slice(0, 3), ['start', 'step', 'down']);
    assert.ok(seen.includes('up') && seen.at(-2) === 'end' && seen.at(-1) === 'undo', seen.join(' '));
    assert.equal(linkUp(kernel), true);
    assert.equal(r.interrupted, false);
    assert.equal(r.resolutionMs, 10);
  }));

test('an abort mid-scenario (Ctrl-C): the run stops, the link is set up again, what was measured is kept', () =>
  withStateDir(async (dir, state) => {
    const kernel = new FakeKernel();
    const system = new FakeSystem(kernel);
    await up({ file: writeLab(dir, LAB), openKernel: () => kernel, system, state });
    const stop = new AbortController();
    const r = await scenario({
      state,
      file: writeLab(dir, SCENARIO, 'scn.yaml'),
      openKernel: () => kernel,
      system,
      prober: linkProber(kernel),
      signal: stop.signal,
      onEvent: (e) => {
        if (e.kind === 'down') setTimeout(() => stop.abort(), 30);
      },
    });
    assert.equal(r.interrupted, true);
    assert.equal(r.ok, false);
    assert.ok(r.ranMs < 300, `stopped early (${r.ranMs} ms)`);
    assert.equal(linkUp(kernel), true, 'undone');
    assert.equal(r.flows[0]?.outages[0]?.open, true, 'the outage was still on when it stopped');
    assert.deepEqual(
      r.events.filter((e) => e.kind === 'undo').map((e) => (e.kind === 'undo' ? e.text : '')),
      ['link a:eth0 up'],
    );
  }));

/** Actions that record what they were asked, failing where told. */
function recorder(failOn?: string): { calls: string[]; actions: StepActions } {
  const calls: string[] = [];
  const at = (e: ScenarioEnd): string => `${e.node}:${e.iface}`;
  const note = async (c: string): Promise<void> => {
    calls.push(c);
    if (c === failOn) throw new Error('refused');
  };
  return {
    calls,
    actions: {
      linkState: (e, upNow) => note(`link ${at(e)} ${upNow ? 'up' : 'down'}`),
      impair: (e, i: Impairment) => note(`impair ${at(e)} ${i.lossPct ?? ''}`),
      clearImpair: (e) => note(`clear ${at(e)}`),
      partition: (g) => note(`partition ${g.map((x) => x.join(',')).join('|')}`),
      heal: () => note('heal'),
      startProcess: async (n, name, cmd) => {
        await note(`start ${n}.${name ?? cmd[0]}`);
        return name ?? cmd[0]!;
      },
      stopProcess: (n, name) => note(`stop ${n}.${name}`),
    },
  };
}

const END = { node: 'a', iface: 'eth0', netns: 'sc-a' };
const step = (index: number, atMs: number, action: Scenario['steps'][number]['action']): Scenario['steps'][number] => ({
  index,
  atMs,
  action,
  text: action.kind,
});
const ALWAYS = async (specs: readonly ProbeSpec[]) => specs.map((s) => ({ id: s.id, reached: true, attempts: 1, sent: 1, received: 1 }));
const FLOW = { id: 0, from: 'a', netns: 'sc-a', to: 'b', dst: '10.7.0.2', kind: 'icmp' as const, label: 'a -> b icmp' };

test('every change is undone once, in reverse order of the first change', async () => {
  const { calls, actions } = recorder();
  const sc: Scenario = {
    lab: 'sc',
    file: 's.yaml',
    flows: [FLOW],
    intervalMs: 10,
    endMs: 60,
    expect: [],
    steps: [
      step(0, 0, { kind: 'impair', end: END, lossPct: 5 }),
      step(1, 10, { kind: 'link', end: END, up: false }),
      step(2, 20, { kind: 'start', node: 'b', command: ['srv'] }),
      step(3, 30, { kind: 'link', end: END, up: true }),
      step(4, 40, { kind: 'partition', groups: [['a'], ['b']] }),
      step(5, 60, { kind: 'end' }),
    ],
  };
  const r = await runScenario(sc, { actions, prober: ALWAYS, clock: monotonic });
  assert.deepEqual(calls, [
    'impair a:eth0 5',
    'link a:eth0 down',
    'start b.srv',
    'link a:eth0 up',
    'partition a|b',
    'heal',
    'stop b.srv',
    'link a:eth0 up',
    'clear a:eth0',
  ]);
  assert.equal(r.ok, true);
  assert.ok(r.flows[0]!.probes >= 4, `probed ${r.flows[0]!.probes} times`);
});

test('a failing step stops the run: what came before is undone, the result says which step', async () => {
  const { calls, actions } = recorder('heal');
  const sc: Scenario = {
    lab: 'sc',
    file: 's.yaml',
    flows: [FLOW],
    intervalMs: 10,
    endMs: 5000,
    expect: [{ probe: 0, maxOutageMs: 1000 }],
    steps: [step(0, 0, { kind: 'link', end: END, up: false }), step(1, 20, { kind: 'heal' }), step(2, 5000, { kind: 'end' })],
  };
  const t0 = performance.now();
  const r = await runScenario(sc, { actions, prober: ALWAYS, clock: monotonic });
  assert.ok(performance.now() - t0 < 2000, 'stopped at the failure, not at the end');
  assert.match(r.error ?? '', /step #1 \(heal\) failed: refused/);
  assert.equal(r.ok, false);
  assert.deepEqual(calls, ['link a:eth0 down', 'heal', 'heal', 'link a:eth0 up']);
  assert.deepEqual(r.undoFailed, ['heal: refused']);
});
