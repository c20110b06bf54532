// Scenario files: the format parsed and checked against a lab, each bad input refused with its
// FILE:LINE:COL (unknown keys and units, steps out of order, unknown nodes and interfaces, a lab
// that is not up), nothing run.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadScenario } from '../../../src/lab/scenario.js';
import { formatIssue, IssueSink } from '../../../src/topology/issues.js';
import { parseScenario } from '../../../src/topology/parse-scenario.js';
import { parseDuration, parsePercent, parseRate } from '../../../src/topology/scenario-schema.js';
import { parseSource } from '../../../src/topology/source.js';
import { resolveScenario } from '../../../src/verify/scenario.js';
import type { Scenario } from '../../../src/verify/scenario.js';
import { topo, withStateDir, writeLab } from '../helpers.js';

const LAB = topo(`name: ospf
nodes:
  h1: { interfaces: { eth0: { peer: "r1:eth1", address: 10.0.1.2/24 } }, routes: [ { to: default, via: 10.0.1.1 } ] }
  r1:
    forwarding: true
    interfaces:
      eth1: { peer: "h1:eth0", address: 10.0.1.1/24 }
      eth3: { peer: "h2:eth0", address: 10.0.2.1/24 }
  h2: { interfaces: { eth0: { peer: "r1:eth3", address: 10.0.2.2/24 } }, routes: [ { to: default, via: 10.0.2.1 } ] }
`);

const GOOD = `lab: ospf
probe: [ { from: h1, to: h2 }, { from: h1, to: h2, tcp: 80 } ]
interval: 100ms
steps:
  - { at: 2s, link: "r1:eth3", down: true }
  - { at: 5s, impair: "r1:eth1", loss: 10%, rate: 1mbit, delay: 20ms, jitter: 5ms }
  - { at: 12s, link: "r1:eth3", down: false }
  - { at: 13s, partition: [[h1, r1], [h2]] }
  - { at: 14s, heal: true }
  - { at: 15s, start: { node: h2, name: web, command: [sleep, "60"] } }
  - { at: 16s, stop: { node: h2, name: web } }
  - { at: 17s, clear: "r1:eth1" }
  - { at: 20s, end: true }
expect: [ { probe: 0, max_outage: 3s }, { probe: 1, recovers_within: 10s, after: 2 } ]
`;

function check(text: string): { scenario?: Scenario; errors: string[] } {
  const sink = new IssueSink('s.yaml');
  const src = parseSource(text);
  for (const f of src.findings) sink.add(f);
  const raw = src.root ? parseScenario(src.root, sink) : undefined;
  const scenario = raw && !sink.failed ? resolveScenario(raw, LAB, sink) : undefined;
  return { ...(scenario ? { scenario } : {}), errors: sink.issues().map(formatIssue) };
}

test('units: durations, percentages and rates with their unit only', () => {
  assert.equal(parseDuration('100ms'), 100);
  assert.equal(parseDuration('1.5s'), 1500);
  assert.equal(parseDuration('1m'), 60_000);
  assert.equal(parseDuration('2'), undefined);
  assert.equal(parseDuration('2 sec'), undefined);
  assert.equal(parsePercent('10%'), 10);
  assert.equal(parsePercent('101%'), undefined);
  assert.equal(parseRate('1mbit'), 1_000_000);
  assert.equal(parseRate('1mb'), undefined);
});

test('the example parses and resolves: flows with addresses, steps in words, limits', () => {
  const r = check(GOOD);
  assert.deepEqual(r.errors, []);
  const s = r.scenario!;
  assert.equal(s.lab, 'ospf');
  assert.equal(s.intervalMs, 100);
  assert.equal(s.endMs, 20_000);
  assert.deepEqual(
    s.flows.map((f) => [f.label, f.dst, f.netns]),
    [
      ['h1 -> h2 icmp', '10.0.2.2', 'ospf-h1'],
      ['h1 -> h2 tcp 80', '10.0.2.2', 'ospf-h1'],
    ],
  );
  assert.deepEqual(
    s.steps.map((x) => x.text),
    [
      'link r1:eth3 down',
      'impair r1:eth1 delay 20ms ±5ms loss 10% rate 1000kbit',
      'link r1:eth3 up',
      'partition h1,r1 | h2',
      'heal',
      'start h2.web: sleep 60',
      'stop h2.web',
      'clear r1:eth1',
      'end',
    ],
  );
  assert.deepEqual(s.expect, [
    { probe: 0, maxOutageMs: 3000 },
    { probe: 1, recoversWithinMs: 10_000, after: 2 },
  ]);
});

const bad = (text: string, want: RegExp): void => {
  const r = check(text);
  assert.equal(r.scenario, undefined, 'refused');
  assert.ok(
    r.errors.some((e) => want.test(e)),
    `expected ${want} in:\n${r.errors.join('\n')}`,
  );
};

test('unknown keys, with did-you-mean, at their position', () => {
  bad(GOOD.replace('interval:', 'intervall:'), /^s\.yaml:3:1: .*intervall.*did you mean 'interval'/);
  bad(GOOD.replace('down: true', 'dwn: true'), /^s\.yaml:5:32: unknown key .dwn. in step #0 \(did you mean .down.\?\)/);
});

test('units: a bare number, an unknown unit, a percentage over 100', () => {
  bad(GOOD.replace('at: 2s', 'at: 2'), /^s\.yaml:5:11: .*duration/);
  bad(GOOD.replace('at: 2s', 'at: 2sec'), /^s\.yaml:5:11: .*duration with its unit/);
  bad(GOOD.replace('loss: 10%', 'loss: 110%'), /^s\.yaml:6:40: .*percentage/);
  bad(GOOD.replace('rate: 1mbit', 'rate: 1mbps'), /^s\.yaml:6:51: .*rate/);
  bad(GOOD.replace('max_outage: 3s', 'max_outage: 3'), /^s\.yaml:14:35: .*duration/);
});

test('a step before the previous one, a step after end:, a missing end:', () => {
  bad(GOOD.replace('at: 12s', 'at: 1s'), /^s\.yaml:7:5: this step at 1000 ms comes before the previous one \(at 5000 ms, line 6\)/);
  bad(GOOD.replace('{ at: 20s, end: true }', '{ at: 19s, end: true }\n  - { at: 20s, heal: true }'), /^s\.yaml:14:5: this step comes after the end: step/);
  bad(GOOD.replace('  - { at: 20s, end: true }\n', ''), /^s\.yaml:5:3: steps needs a last step/);
});

test('a step doing two things or nothing, stray keys, a limit checking nothing', () => {
  bad(GOOD.replace('{ at: 14s, heal: true }', '{ at: 14s, heal: true, end: true }'), /^s\.yaml:9:28: step #4 has heal and end/);
  bad(GOOD.replace('{ at: 14s, heal: true }', '{ at: 14s }'), /^s\.yaml:9:5: step #4 does nothing/);
  bad(GOOD.replace('{ at: 14s, heal: true }', '{ at: 14s, heal: true, down: true }'), /^s\.yaml:9:28: step #4: down: goes with link: only/);
  bad(GOOD.replace('{ probe: 0, max_outage: 3s }', '{ probe: 0 }'), /^s\.yaml:14:11: limit #0 checks nothing/);
});

test('names the lab does not have: nodes, interfaces, probes, steps', () => {
  bad(GOOD.replace('{ from: h1, to: h2 }', '{ from: h9, to: h2 }'), /^s\.yaml:2:18: lab ospf has no node 'h9'/);
  bad(GOOD.replace('to: h2 }', 'to: h7 }'), /^s\.yaml:2:26: lab ospf has no node 'h7'/);
  bad(GOOD.replace('link: "r1:eth3", down: true', 'link: "r1:eth9", down: true'), /^s\.yaml:5:21: node r1 has no interface 'eth9'/);
  bad(GOOD.replace('link: "r1:eth3", down: true', 'link: "r1", down: true'), /^s\.yaml:5:21: 'r1' must be NODE:IFACE/);
  bad(GOOD.replace('[[h1, r1], [h2]]', '[[h1, r1], [h2, h1]]'), /^s\.yaml:8:43: node h1 is in two groups/);
  bad(GOOD.replace('{ probe: 1,', '{ probe: 5,'), /^s\.yaml:14:50: there is no probe #5/);
  bad(GOOD.replace('after: 2', 'after: 8'), /there is no step #8/);
});

test('a lab that is not up: the lab: line, exit status 2, nothing run', () =>
  withStateDir(async (dir, state) => {
    const file = writeLab(dir, GOOD, 'scn.yaml');
    await assert.rejects(loadScenario(state, file), (e: Error & { exitStatus?: number }) => {
      assert.equal(e.exitStatus, 2);
      assert.match(e.message, /scn\.yaml:1:6: lab "ospf" is not up/);
      return true;
    });
  }));
