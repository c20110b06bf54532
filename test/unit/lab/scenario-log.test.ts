// The scenario timeline kept for `nslab ui`: a run records its header, its events and a finished
// line in the lab's state; the reader gives flows with their state and outage windows and the
// steps with when they ran, while it runs (parsed from the events) and after (the measured outages);
// a new run replaces the last one, a runner gone without finishing is "abandoned".
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { scenario } from '../../../src/lab/scenario.js';
import { parseScenarioLog, readScenarioLog, scenarioLogPath } from '../../../src/lab/scenario-log.js';
import { up } from '../../../src/lab/up.js';
import type { ProbeSpec } from '../../../src/port/probe.js';
import { FakeKernel } from '../../helpers/fake-kernel.js';
import { FakeSystem } from '../../helpers/fake-system.js';
import { withStateDir, writeLab } from '../helpers.js';

const LAB = `name: sl
nodes:
  a: { interfaces: { eth0: { peer: "b:eth0", address: 10.7.0.1/30 } } }
  b: { interfaces: { eth0: { peer: "a:eth0", address: 10.7.0.2/30 } } }
`;

const SCENARIO = `lab: sl
probe: [ { from: a, to: b } ]
interval: 10ms
steps:
  - { at: 100ms, link: "a:eth0", down: true }
  - { at: 300ms, link: "a:eth0", down: false }
  - { at: 450ms, end: true }
`;

function linkProber(kernel: FakeKernel) {
  return async (specs: readonly ProbeSpec[]) =>
    specs.map((s) => {
      const ok = ['sl-a', 'sl-b'].every((ns) => kernel.snapshot(ns)?.links.find((l) => l.name === 'eth0')?.up === true);
      return { id: s.id, reached: ok, attempts: 1, sent: 1, received: ok ? 1 : 0, ...(ok ? {} : { reason: 'timeout' }) };
    });
}

test('a run is recorded as it happens and read back: flow state and outages while it runs, the measured ones after', () =>
  withStateDir(async (dir, state) => {
    const kernel = new FakeKernel();
    const system = new FakeSystem(kernel);
    await up({ file: writeLab(dir, LAB), openKernel: () => kernel, system, state });
    assert.equal(readScenarioLog(state, 'sl'), undefined, 'no scenario yet');
    const during: Array<ReturnType<typeof readScenarioLog>> = [];
    const r = await scenario({
      state,
      file: writeLab(dir, SCENARIO, 'scn.yaml'),
      openKernel: () => kernel,
      system,
      prober: linkProber(kernel),
      onEvent: (e) => {
        if (e.kind === 'down' || e.kind === 'up') during.push(readScenarioLog(state, 'sl'));
      },
    });
    // While it runs: the event just recorded is already in the file (the runner writes before it reports).
    const down = during[0]!;
    assert.equal(down.status, 'running');
    assert.equal(down.flows[0]!.state, 'down');
    assert.equal(down.flows[0]!.outages.length, 1);
    assert.equal(down.flows[0]!.outages[0]!.endMs, undefined, 'open while it lasts');
    assert.equal(down.steps[0]!.ranAtMs !== undefined, true);
    assert.equal(down.steps[1]!.ranAtMs, undefined);
    const upAgain = during[1]!;
    assert.equal(upAgain.flows[0]!.state, 'up');
    assert.ok(upAgain.flows[0]!.outages[0]!.endMs !== undefined);

    const after = readScenarioLog(state, 'sl')!;
    assert.equal(after.status, 'finished');
    assert.equal(after.ok, r.ok);
    assert.equal(after.plannedMs, 450);
    assert.equal(after.flows[0]!.label, 'a -> b icmp');
    assert.deepEqual(
      after.flows[0]!.outages,
      r.flows[0]!.outages.map((o) => ({ startMs: o.startMs, endMs: o.endMs })),
    );
    assert.deepEqual(
      after.steps.map((s) => s.text),
      r.steps.map((s) => s.text),
    );
    const lines = readFileSync(scenarioLogPath(state, 'sl'), 'utf8').trim().split('\n');
    assert.equal(JSON.parse(lines[0]!).kind, 'scenario');
    assert.equal(JSON.parse(lines.at(-1)!).kind, 'finished');

    // A second run replaces the first.
    await scenario({ state, file: writeLab(dir, SCENARIO, 'scn.yaml'), openKernel: () => kernel, system, prober: linkProber(kernel) });
    const again = readFileSync(scenarioLogPath(state, 'sl'), 'utf8').trim().split('\n');
    assert.equal(again.filter((l) => JSON.parse(l).kind === 'scenario').length, 1);
  }));

test('the reader: an abandoned run, a failed step, lines it cannot read', () => {
  const head = JSON.stringify({
    kind: 'scenario',
    v: 1,
    lab: 'x',
    file: '/tmp/s.yaml',
    pid: 4242,
    startedAt: 1,
    plannedMs: 1000,
    intervalMs: 50,
    flows: [
      { id: 0, label: 'a -> b icmp', dst: '10.0.0.2' },
      { id: 1, label: 'b -> a icmp', dst: '10.0.0.1' },
    ],
    steps: [
      { index: 0, atMs: 100, text: 'link a:eth0 down' },
      { index: 1, atMs: 500, text: 'impair a:eth0' },
    ],
  });
  const events = [
    { t: 0, kind: 'start', flows: 2, intervalMs: 50, timeoutMs: 40 },
    { t: 100, kind: 'step', step: 0, text: 'link a:eth0 down' },
    { t: 150, kind: 'down', flow: 0, label: 'a -> b icmp' },
    { t: 500, kind: 'step-failed', step: 1, text: 'impair a:eth0', error: 'no netem' },
  ].map((e) => JSON.stringify(e));
  const text = [head, ...events, '{broken', '[1]', ''].join('\n');
  const gone = parseScenarioLog('x', text, () => false)!;
  assert.equal(gone.status, 'abandoned');
  assert.equal(gone.lastMs, 500);
  assert.deepEqual(
    gone.flows.map((f) => [f.state, f.outages]),
    [
      ['down', [{ startMs: 150 }]],
      ['up', []],
    ],
  );
  assert.deepEqual(gone.steps[1], { index: 1, atMs: 500, text: 'impair a:eth0', ranAtMs: 500, error: 'no netem' });
  assert.equal(parseScenarioLog('x', text, () => true)!.status, 'running');
  assert.equal(
    parseScenarioLog('x', 'not json\n', () => true),
    undefined,
  );
  assert.equal(
    parseScenarioLog('x', `${JSON.stringify({ kind: 'scenario', v: 2 })}\n`, () => true),
    undefined,
  );
});
