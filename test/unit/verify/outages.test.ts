// Outage analysis on synthetic series: windows from the first failure to the next success,
// open windows at the end, recovery after each step, and the limits.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkLimits, outageWindows, recoveries } from '../../../src/verify/outages.js';
import type { Sample } from '../../../src/verify/outages.js';

/** Samples every `step` ms from 0 to `end` (exclusive), failing where `down(t)`. */
function series(end: number, step: number, down: (t: number) => boolean): Sample[] {
  const out: Sample[] = [];
  for (let t = 0; t < end; t += step) out.push({ t, ok: !down(t) });
  return out;
}

test('one outage: from the first failed probe to the next success', () => {
  const s = series(3000, 100, (t) => t >= 500 && t < 2000);
  assert.deepEqual(outageWindows(s, 3000), [{ startMs: 500, endMs: 2000, ms: 1500, open: false, failed: 15 }]);
});

test('none, several, one still open at the end, and a flow failing from the start', () => {
  assert.deepEqual(
    outageWindows(
      series(1000, 100, () => false),
      1000,
    ),
    [],
  );
  const two = outageWindows(
    series(2000, 100, (t) => (t >= 200 && t < 400) || t >= 1500),
    2000,
  );
  assert.deepEqual(
    two.map((o) => [o.startMs, o.endMs, o.ms, o.open]),
    [
      [200, 400, 200, false],
      [1500, 2000, 500, true],
    ],
  );
  assert.deepEqual(
    outageWindows(
      series(1000, 100, (t) => t < 300),
      1000,
    ).map((o) => [o.startMs, o.endMs]),
    [[0, 300]],
  );
  assert.deepEqual(outageWindows([], 1000), []);
});

test('recovery after each step: disrupted or not, measured from the step, or never', () => {
  const s = series(20_000, 100, (t) => t >= 2000 && t < 12_400);
  const steps = [
    { index: 0, atMs: 2000 },
    { index: 1, atMs: 5000 },
    { index: 2, atMs: 12_000 },
    { index: 3, atMs: 15_000 },
  ];
  assert.deepEqual(recoveries(s, steps, 20_000), [
    { step: 0, atMs: 2000, disrupted: true, recoverMs: 10_400 },
    { step: 1, atMs: 5000, disrupted: true, recoverMs: 7400 },
    { step: 2, atMs: 12_000, disrupted: true, recoverMs: 400 },
    { step: 3, atMs: 15_000, disrupted: false, recoverMs: 0 },
  ]);
  const never = series(3000, 100, (t) => t >= 1000);
  assert.deepEqual(recoveries(never, [{ index: 0, atMs: 1000 }], 3000), [{ step: 0, atMs: 1000, disrupted: true }]);
});

test('limits: max_outage against the longest window, recovers_within after one step or every step', () => {
  const s = series(20_000, 100, (t) => t >= 2000 && t < 12_400);
  const steps = [
    { index: 0, atMs: 2000 },
    { index: 1, atMs: 12_000 },
  ];
  const flows = [{ outages: outageWindows(s, 20_000), recoveries: recoveries(s, steps, 20_000) }];
  const r = checkLimits(
    [
      { probe: 0, maxOutageMs: 3000 },
      { probe: 0, maxOutageMs: 11_000 },
      { probe: 0, recoversWithinMs: 1000, after: 1 },
      { probe: 0, recoversWithinMs: 1000 },
      { probe: 3, maxOutageMs: 1 },
    ],
    flows,
  );
  assert.deepEqual(
    r.map((x) => x.ok),
    [false, true, true, false, false],
  );
  assert.match(r[0]!.detail, /longest outage 10\.400 s > max_outage 3\.000 s/);
  assert.match(r[3]!.detail, /after step #0 \(10\.400 s\)/);
  const open = series(3000, 100, (t) => t >= 1000);
  const still = checkLimits([{ probe: 0, maxOutageMs: 5000 }], [{ outages: outageWindows(open, 3000), recoveries: [] }]);
  assert.match(still[0]!.detail, /still out at the end/);
});
