// The runtime verbs on the fake kernel and the runtime file they keep: link down/up, impair,
// partition and heal change only link state, are recorded (versioned, checked on read), kept by
// a later up, dropped by up --reset; bad endpoints are exit 2 with nothing changed.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { FakeKernel } from '../../helpers/fake-kernel.js';
import { up } from '../../../src/lab/up.js';
import { heal, impair, linkState, partition, cutsBetween } from '../../../src/lab/runtime.js';
import { parseRuntime, readRuntime, runtimePath } from '../../../src/state/runtime.js';
import { isNslabError } from '../../../src/util/errors.js';
import { topo, withStateDir, writeLab } from '../helpers.js';

const LAB = `name: rt
networks: { lan: { subnet: 10.1.0.0/24 } }
nodes:
  a: { interfaces: { eth0: { network: lan }, eth1: { peer: "b:eth1", address: 10.0.0.1/30 } } }
  b: { interfaces: { eth0: { network: lan }, eth1: { peer: "a:eth1", address: 10.0.0.2/30 } } }
  c: { interfaces: { eth0: { network: lan } } }
`;

test('the runtime file: version 1, checked on read', () => {
  assert.deepEqual(parseRuntime('{"v":1,"down":["a:eth0"],"impair":[],"partitions":[]}'), { down: ['a:eth0'], impair: [], partitions: [] });
  assert.match(String(parseRuntime('{"v":2,"down":[],"impair":[],"partitions":[]}')), /version 2/);
  assert.match(String(parseRuntime('{"v":1,"down":[3],"impair":[],"partitions":[]}')), /"down"/);
  assert.match(String(parseRuntime('{"v":1,"down":[],"impair":[{"end":"a:eth0","shape":{"rate":-1},"egressOnly":false}],"partitions":[]}')), /"impair"/);
  assert.match(String(parseRuntime('nope')), /not JSON/);
});

test('partition: p2p links between the groups are cut at the B end, shared networks at the B members', () => {
  const t = topo(LAB);
  assert.deepEqual(cutsBetween(t, new Set(['a']), new Set(['b'])), ['b:eth1', 'b:eth0']);
  assert.deepEqual(cutsBetween(t, new Set(['a', 'b']), new Set(['c'])), ['c:eth0']);
});

test('link down, impair, partition and heal: recorded, applied as link state only, kept by up, dropped by up --reset', () =>
  withStateDir(async (dir, root) => {
    const k = new FakeKernel();
    k.netemAbsent = true;
    const openKernel = async (): Promise<FakeKernel> => k;
    const netemMissing = (): string => 'no sch_netem';
    const file = writeLab(dir, LAB);
    await up({ state: root, file, openKernel, netemMissing });
    const base = { state: root, lab: 'rt', openKernel, netemMissing };
    const isUp = (ns: string, dev: string): boolean => k.snapshot(ns)!.links.find((l) => l.name === dev)!.up;

    k.log.length = 0;
    const cut = await linkState({ ...base, end: 'a:eth1', up: false });
    assert.deepEqual(cut.commands, ['ip -n rt-a link set eth1 down']);
    assert.equal(isUp('rt-a', 'eth1'), false);
    assert.deepEqual(readRuntime(root, 'rt').down, ['a:eth1']);

    const kept = await up({ state: root, file, openKernel, netemMissing });
    assert.deepEqual(kept.commands, [], 'up keeps the runtime change');
    assert.ok(
      kept.warnings.some((w) => /kept .*a:eth1: runtime: down/.test(w)),
      kept.warnings.join('\n'),
    );

    await linkState({ ...base, end: 'a:eth1', up: true });
    assert.equal(isUp('rt-a', 'eth1'), true);

    const imp = await impair({ ...base, end: 'a:eth0', shape: { rate: 125_000, lossPct: 5 } });
    assert.ok(
      imp.commands.some((c) => /^tc -n rt-a qdisc replace dev eth0 root tbf rate 1mbit/.test(c)),
      imp.commands.join('\n'),
    );
    assert.ok(
      imp.commands.some((c) => /^tc qdisc replace dev rt-a-eth0 root tbf rate 1mbit/.test(c)),
      'the host end too (both directions)',
    );
    assert.ok(
      imp.commands.some((c) => /nft/.test(c)),
      'loss as nft rules',
    );
    await assert.rejects(
      impair({ ...base, end: 'a:eth0', shape: { delayUs: 1000 } }),
      (e: unknown) => isNslabError(e) && e.exitStatus === 1 && /sch_netem/.test(e.message),
    );
    assert.equal(readRuntime(root, 'rt').impair[0]?.shape.rate, 125_000, 'a refused change changes nothing');
    await assert.rejects(linkState({ ...base, end: 'a:eth9', up: false }), (e: unknown) => isNslabError(e) && e.exitStatus === 2);
    await assert.rejects(partition({ ...base, a: ['a'], b: ['zz'] }), (e: unknown) => isNslabError(e) && e.exitStatus === 2);

    const p = await partition({ ...base, a: ['a'], b: ['b,c'] });
    assert.equal(isUp('rt-b', 'eth1'), false);
    assert.equal(isUp('rt-b', 'eth0'), false);
    assert.equal(isUp('rt-c', 'eth0'), false);
    assert.equal(isUp('rt-a', 'eth0'), true);
    assert.ok(p.notes.some((n) => /partition a -- b,c/.test(n)));
    await heal(base);
    assert.equal(isUp('rt-b', 'eth1'), true);
    assert.equal(isUp('rt-c', 'eth0'), true);

    const reset = await up({ state: root, file, openKernel, netemMissing, reset: true });
    assert.ok(
      reset.commands.some((c) => /qdisc del/.test(c)),
      reset.commands.join('\n'),
    );
    assert.deepEqual(readRuntime(root, 'rt'), { down: [], impair: [], partitions: [] });
    writeFileSync(runtimePath(root, 'rt'), '{"v":9}');
    assert.throws(() => readRuntime(root, 'rt'), /version 9/);
  }));
