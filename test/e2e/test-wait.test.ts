// `nslab test --wait` end to end: a process in node a plays a routing daemon that installs its
// route 1.5 s after it sees the first probe that found no route (the namespace's OutNoRoutes
// counter), once the test says go. Without waiting the entry fails at once; with --wait it
// holds, and the time reported is at least the daemon's 1.5 s.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { labFile, nslab, nslabJson, nslabOk, withSandbox } from './lab.js';

type Row = { from: string; to: string; ok: boolean; reason?: string; heldMs?: number; withinMs?: number };
type Result = { report: { rows: Row[]; passed: number; failed: number }; rounds: number; waited: boolean };

/** A late route: waits for the go file, then for a probe that finds no route, then 1.5 s. Bounded (about 60 s per wait). */
const DAEMON = `#!/bin/sh
noroutes() { awk '/^Ip: [0-9]/ { print $13 }' /proc/net/snmp; }
i=0; while [ ! -e "$1" ] && [ $i -lt 3000 ]; do sleep 0.02; i=$((i+1)); done
n=$(noroutes)
i=0; while [ "$(noroutes)" = "$n" ] && [ $i -lt 3000 ]; do sleep 0.02; i=$((i+1)); done
sleep 1.5
ip route add 10.81.2.0/24 via 10.81.1.1
exec sleep 300
`;

const lab = (dir: string): string => `name: conv
networks:
  left: { subnet: 10.81.1.0/24 }
  right: { subnet: 10.81.2.0/24 }
nodes:
  a:
    interfaces: { eth0: { network: left, address: 10.81.1.10/24 } }
    processes:
      - { name: daemon, command: [sh, ${join(dir, 'daemon.sh')}, ${join(dir, 'go')}] }
  r:
    forwarding: true
    interfaces:
      eth0: { network: left, address: 10.81.1.1/24 }
      eth1: { network: right, address: 10.81.2.1/24 }
  b:
    interfaces: { eth0: { network: right, address: 10.81.2.10/24 } }
    routes: [ { to: default, via: 10.81.2.1 } ]
expect:
  - { from: a, to: r }
  - { from: a, to: b }
`;

test('a route that converges late: test fails without waiting, --wait 10s holds after at least 1.5 s', (t) =>
  withSandbox(t, async (sb) => {
    const f = labFile('');
    const dir = dirname(f.path);
    writeFileSync(join(dir, 'daemon.sh'), DAEMON);
    writeFileSync(f.path, lab(dir));
    try {
      await nslabOk(sb, 'up', f.path);
      const now = await nslab(sb, 'test', 'conv', '--attempts', '1', '--timeout', '300');
      assert.equal(now.code, 1, now.stdout);
      assert.match(now.stdout, /^a\s+b .*FAIL/m);
      assert.doesNotMatch(now.stdout, /HELD AFTER/);

      writeFileSync(join(dir, 'go'), '');
      const r = await nslab(sb, 'test', 'conv', '--wait', '10s', '--json');
      assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
      const res = JSON.parse(r.stdout) as Result;
      const ab = res.report.rows.find((x) => x.to === 'b')!;
      assert.equal(ab.ok, true);
      assert.ok((ab.heldMs ?? 0) >= 1500 && (ab.heldMs ?? 0) < 10_000, `held after ${ab.heldMs} ms`);
      assert.equal(ab.withinMs, 10_000);
      assert.ok((res.report.rows.find((x) => x.to === 'r')?.heldMs ?? Infinity) < 1500, 'a to r held at once');
      assert.ok(res.rounds > 1);
      assert.match(r.stderr, /waiting: 1\/2 hold \(\d+\.\d s\)/, 'progress on stderr');

      const text = await nslabOk(sb, 'test', 'conv', '--wait', '10s');
      assert.match(text, /HELD AFTER/);
      assert.match(text, /2\/2 hold/);
    } finally {
      await nslab(sb, 'down', 'conv');
      f.done();
    }
  }));

test('an entry with within: that never holds fails after its time, with its reason', (t) =>
  withSandbox(t, async (sb) => {
    const f = labFile(`name: never
networks:
  left: { subnet: 10.82.1.0/24 }
nodes:
  a: { interfaces: { eth0: { network: left, address: 10.82.1.10/24 } } }
  b: { interfaces: { eth0: { network: left, address: 10.82.1.11/24 } } }
expect:
  - { from: a, to: b }
  - { from: a, to: 10.99.0.1, within: 1s }
`);
    try {
      await nslabOk(sb, 'up', f.path);
      const started = performance.now();
      const r = await nslabJson<Result>(sb, 'test', 'never');
      assert.equal(r.code, 1);
      assert.ok(performance.now() - started >= 1000, 'it waited for the within: entry');
      const bad = r.value.report.rows.find((x) => !x.ok)!;
      assert.equal(bad.to, '10.99.0.1');
      assert.match(bad.reason ?? '', /unreachable/);
      assert.equal(bad.withinMs, 1000);
    } finally {
      await nslab(sb, 'down', 'never');
      f.done();
    }
  }));
