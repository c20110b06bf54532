// Link properties in a file: the value syntax (units, ranges), the located errors for bad ones,
// and how the two ends and `egress:` combine into each direction of a link.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatIssue } from '../../../src/topology/issues.js';
import { loadTopologyFile } from '../../../src/model/load.js';
import { parseDuration, parseLimit, parsePercent, parseRate, shapeText } from '../../../src/topology/impair-units.js';

const enc = new TextEncoder();

function issues(text: string): string[] {
  const r = loadTopologyFile(enc.encode(text), 'f.yaml');
  return r.issues.filter((i) => i.severity === 'error').map(formatIssue);
}

function lab(extraA: string, extraB = ''): string {
  return `name: t
nodes:
  a:
    interfaces:
      eth0: { peer: "b:eth0", address: 10.0.0.1/30${extraA} }
  b:
    interfaces:
      eth0: { peer: "a:eth0", address: 10.0.0.2/30${extraB} }
`;
}

test('rates: tc units, bits or bytes per second, to bytes per second', () => {
  assert.deepEqual(parseRate('10mbit'), { ok: true, value: 1_250_000 });
  assert.deepEqual(parseRate('512kbit'), { ok: true, value: 64_000 });
  assert.deepEqual(parseRate('1gbit'), { ok: true, value: 125_000_000 });
  assert.deepEqual(parseRate('1.5Mbit'), { ok: true, value: 187_500 });
  assert.deepEqual(parseRate('100kbps'), { ok: true, value: 100_000 });
  for (const bad of ['10', '10mb', '10 furlongs', '-1mbit', '0mbit', '0bit', 'fast', '', '200gbit']) {
    const p = parseRate(bad);
    assert.equal(p.ok, false, bad);
  }
  assert.equal(parseRate(10).ok, false, 'a bare number has no unit');
  assert.match((parseRate('0mbit') as { problem: string }).problem, /more than 0/);
  assert.match((parseRate('10mb') as { problem: string }).problem, /unknown unit "mb"/);
});

test('times, percentages and queue lengths', () => {
  assert.deepEqual(parseDuration('20ms'), { ok: true, value: 20_000 });
  assert.deepEqual(parseDuration('1.5ms'), { ok: true, value: 1_500 });
  assert.deepEqual(parseDuration('500us'), { ok: true, value: 500 });
  assert.deepEqual(parseDuration('2s'), { ok: true, value: 2_000_000 });
  for (const bad of ['20', '20 min', '-5ms', '61s']) assert.equal(parseDuration(bad).ok, false, bad);
  assert.deepEqual(parsePercent('5%'), { ok: true, value: 5 });
  assert.deepEqual(parsePercent(0.5), { ok: true, value: 0.5 });
  assert.deepEqual(parsePercent('100%'), { ok: true, value: 100 });
  for (const bad of ['-1%', '101%', '5 percent', '0.001%']) assert.equal(parsePercent(bad).ok, false, bad);
  assert.deepEqual(parseLimit(100), { ok: true, value: 100 });
  for (const bad of [0, -3, 1.5, 'many']) assert.equal(parseLimit(bad).ok, false, String(bad));
  assert.equal(shapeText({ rate: 1_250_000, delayUs: 20_000, lossPct: 5 }), 'rate 10mbit delay 20ms loss 5%');
});

test('bad values in a file are errors at their line and column', () => {
  const cases: Array<[string, RegExp]> = [
    [', rate: 10furlongs', /^f\.yaml:5:\d+: .*rate.*unknown unit "furlongs"/],
    [', rate: 0mbit', /^f\.yaml:5:\d+: .*rate.*more than 0/],
    [', loss: 120%', /^f\.yaml:5:\d+: .*loss.*at most 100%/],
    [', loss: -5%', /^f\.yaml:5:\d+: .*loss.*negative/],
    [', delay: 20', /^f\.yaml:5:\d+: .*delay/],
    [', jitter: 5ms', /^f\.yaml:5:\d+: .*jitter: needs a delay/],
    [', egress: { rate: 1mbit, speed: 3 }', /^f\.yaml:5:\d+: .*speed/],
    [', up: maybe', /^f\.yaml:5:\d+: .*up.*true or false/],
    [', limit: 50', /^f\.yaml:5:\d+: .*limit: is the queue of a rate/],
  ];
  for (const [extra, want] of cases) {
    const got = issues(lab(extra));
    assert.ok(
      got.some((i) => want.test(i)),
      `${extra}: ${got.join('\n')}`,
    );
  }
  assert.deepEqual(issues(lab(', rate: 10mbit, delay: 20ms, jitter: 5ms, loss: 1%, limit: 100, up: false')), []);
});

test('both ends of a point-to-point link must agree on a symmetric key', () => {
  const got = issues(lab(', rate: 10mbit', ', rate: 20mbit'));
  assert.equal(got.length, 1, got.join('\n'));
  assert.match(got[0]!, /rate: 20mbit disagrees with rate: 10mbit/);
  assert.deepEqual(issues(lab(', rate: 10mbit', ', rate: 10mbit')), []);
});

test('symmetric keys shape both directions, egress: one; a network link has the host end as its other direction', () => {
  const r = loadTopologyFile(enc.encode(lab(', rate: 10mbit, egress: { loss: 5% }', ', delay: 20ms')), 'f.yaml');
  const a = r.topology!.nodes.get('a')!.interfaces.get('eth0')!;
  const b = r.topology!.nodes.get('b')!.interfaces.get('eth0')!;
  assert.deepEqual(a.shape, { out: { rate: 1_250_000, delayUs: 20_000, lossPct: 5 }, in: { rate: 1_250_000, delayUs: 20_000 } });
  assert.deepEqual(b.shape?.out, a.shape?.in);
  const net = loadTopologyFile(
    enc.encode(`name: t
networks: { lan: { subnet: 10.1.0.0/24 } }
nodes:
  a: { interfaces: { eth0: { network: lan, rate: 1mbit, egress: { rate: 2mbit }, up: false } } }
`),
    'f.yaml',
  );
  const i = net.topology!.nodes.get('a')!.interfaces.get('eth0')!;
  assert.deepEqual(i.shape, { out: { rate: 250_000 }, in: { rate: 125_000 } });
  assert.equal(i.down, true);
});
