// `nslab partition LAB A -- B`: commander drops the `--`, so the groups are split where it stood.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { splitGroups } from '../../../src/cli/commands/runtime.js';
import { shapeFromFlags } from '../../../src/lab/runtime.js';
import { isNslabError } from '../../../src/util/errors.js';

test('partition groups: before and after --, or two comma-separated words', () => {
  assert.deepEqual(splitGroups(['a,b', 'c'], ['node', 'nslab', 'partition', 'lab', 'a,b', '--', 'c']), [['a,b'], ['c']]);
  assert.deepEqual(splitGroups(['a', 'b', 'c', 'd'], ['node', 'nslab', 'partition', 'lab', 'a', 'b', '--', 'c', 'd']), [
    ['a', 'b'],
    ['c', 'd'],
  ]);
  assert.deepEqual(splitGroups(['a,b', 'c'], ['node', 'nslab', 'partition', 'lab', 'a,b', 'c']), [['a,b'], ['c']]);
  assert.throws(
    () => splitGroups(['a'], ['node', 'nslab', 'partition', 'lab', 'a']),
    (e: unknown) => isNslabError(e) && e.exitStatus === 2,
  );
});

test('impair flags use the file syntax; a bad one is exit 2 naming the flag', () => {
  assert.deepEqual(shapeFromFlags({ rate: '10mbit', loss: '5%' }), { rate: 1_250_000, lossPct: 5 });
  for (const [flags, want] of [
    [{ rate: '10' }, /--rate 10: .*no unit/],
    [{ loss: '-1%' }, /--loss -1%: must not be negative/],
    [{ delay: '5 fortnights' }, /--delay/],
    [{ jitter: '5ms' }, /--jitter needs a delay/],
  ] as const) {
    assert.throws(
      () => shapeFromFlags(flags),
      (e: unknown) => isNslabError(e) && e.exitStatus === 2 && want.test(e.message),
      JSON.stringify(flags),
    );
  }
});
