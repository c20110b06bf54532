// The trust rule for directories nslab writes in as root (kernel/safe-fs.ts): the pure rule on a
// stat, and the checked operations on real temporary directories (symlinks planted in the place
// of a directory, a temporary or a file are refused or replaced, never followed).
import assert from 'node:assert/strict';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openInTree, readInTree, statProblem, verifyDir, writeAtomic, writeInPlace, type StatFacts } from '../../../src/kernel/safe-fs.js';
import { isNslabError } from '../../../src/util/errors.js';

const dir = (uid: number, mode: number): StatFacts => ({ uid, mode: 0o40000 | mode, kind: 'dir' });

test('the rule: who may own a level, which modes are too open, and where symlinks are allowed', () => {
  const rows: Array<[string, StatFacts, 'ancestor' | 'private' | 'file', number, RegExp | undefined]> = [
    ['root state dir, root', dir(0, 0o700), 'private', 0, undefined],
    ['state dir of another user, root', dir(1000, 0o700), 'private', 0, /^is owned by uid 1000, not root$/],
    ['world-writable state dir', dir(0, 0o777), 'private', 0, /^is writable by any user \(mode 0777\)$/],
    ['group-writable state dir', dir(0, 0o770), 'private', 0, /^is writable by its group \(mode 0770\)$/],
    ['sticky /tmp as state dir', dir(0, 0o1777), 'private', 0, /writable by any user/],
    ['symlinked state dir', { uid: 0, mode: 0o777, kind: 'symlink' }, 'private', 0, /^is a symbolic link$/],
    ['a file where a dir must be', { uid: 0, mode: 0o600, kind: 'file' }, 'private', 0, /^is not a directory$/],
    ['sticky root /tmp as ancestor', dir(0, 0o1777), 'ancestor', 0, undefined],
    ['world-writable, not sticky ancestor', dir(0, 0o777), 'ancestor', 0, /writable by any user/],
    ['ancestor of another user', dir(65534, 0o755), 'ancestor', 0, /^is owned by uid 65534, not root$/],
    ['sticky ancestor of another user', dir(65534, 0o1777), 'ancestor', 0, /owned by uid 65534/],
    ['root symlink among ancestors (/var/run)', { uid: 0, mode: 0o777, kind: 'symlink' }, 'ancestor', 0, undefined],
    ["another user's symlink among ancestors", { uid: 65534, mode: 0o777, kind: 'symlink' }, 'ancestor', 0, /owned by uid 65534/],
    ['a user may use their own dir', dir(1000, 0o700), 'private', 1000, undefined],
    ["a user trusts root's dirs", dir(0, 0o755), 'private', 1000, undefined],
    ["a user refuses a third user's", dir(1001, 0o700), 'private', 1000, /^is owned by uid 1001, not uid 1000 or root$/],
    ['a regular file of ours', { uid: 0, mode: 0o100600, kind: 'file' }, 'file', 0, undefined],
    ['a FIFO as a file', { uid: 0, mode: 0o10600, kind: 'other' }, 'file', 0, /^is not a regular file$/],
    ["another user's file", { uid: 65534, mode: 0o100600, kind: 'file' }, 'file', 0, /owned by uid 65534/],
    ['a world-writable file', { uid: 0, mode: 0o100666, kind: 'file' }, 'file', 0, /writable by any user/],
  ];
  for (const [what, st, level, me, want] of rows) {
    const got = statProblem(st, level, me);
    if (want === undefined) assert.equal(got, undefined, what);
    else assert.match(got ?? '(accepted)', want, what);
  }
});

function withTree(fn: (base: string, tree: { base: string; what: string }, outside: string) => void): void {
  const top = mkdtempSync(join(tmpdir(), 'nslab-safe-'));
  try {
    const outside = join(top, 'victim');
    writeFileSync(outside, 'victim\n', { mode: 0o644 });
    const base = join(top, 'state');
    fn(base, { base, what: 'state directory' }, outside);
  } finally {
    rmSync(top, { recursive: true, force: true });
  }
}

const refused =
  (re: RegExp) =>
  (e: unknown): boolean => {
    assert.ok(isNslabError(e), String(e));
    assert.equal(e.exitStatus, 1);
    assert.match(e.message, re);
    assert.doesNotMatch(e.message, /\n/);
    return true;
  };

test('verifyDir creates a missing state dir 0700 and refuses a symlinked or too open one', () => {
  withTree((base, tree, outside) => {
    assert.equal(verifyDir(tree, join(base, 'lab')), false, 'missing and not created');
    assert.equal(verifyDir(tree, join(base, 'lab'), { create: true }), true);
    assert.equal(lstatSync(join(base, 'lab')).mode & 0o7777, 0o700);
    chmodSync(join(base, 'lab'), 0o777);
    assert.throws(
      () => verifyDir(tree, join(base, 'lab')),
      refused(/^refusing state directory .*\/state: .*\/state\/lab is writable by any user \(mode 0777\)/),
    );
    rmSync(join(base, 'lab'), { recursive: true });
    symlinkSync(join(outside, '..'), join(base, 'lab'));
    assert.throws(() => verifyDir(tree, join(base, 'lab'), { create: true }), refused(/\/state\/lab is a symbolic link/));
  });
});

test('a planted symlink is never written or read through: files, temporaries, in-place writes', () => {
  withTree((base, tree, outside) => {
    verifyDir(tree, base, { create: true });
    symlinkSync(outside, join(base, 'topology.yaml.tmp'));
    writeAtomic(tree, join(base, 'topology.yaml'), 'ours\n', 0o600);
    assert.equal(readFileSync(join(base, 'topology.yaml'), 'utf8'), 'ours\n');
    symlinkSync(outside, join(base, 'resolv.conf'));
    assert.throws(() => writeInPlace(tree, join(base, 'resolv.conf'), 'x', 0o644), refused(/resolv\.conf is a symbolic link/));
    symlinkSync(outside, join(base, 'journal.jsonl'));
    assert.throws(() => readInTree(tree, join(base, 'journal.jsonl')), refused(/journal\.jsonl is a symbolic link/));
    assert.throws(
      () => openInTree(tree, join(base, 'logs', 'x.log'), 0),
      (e: unknown) => (e as NodeJS.ErrnoException).code === 'ENOENT',
    );
    assert.equal(readFileSync(outside, 'utf8'), 'victim\n', 'the victim is unchanged');
    assert.equal(readInTree(tree, join(base, 'missing')), undefined);
  });
});

test('ancestors: a world-writable one refuses the state root below it, a sticky one does not', () => {
  withTree((base) => {
    const parent = join(base, '..', 'open');
    mkdirSync(parent, { mode: 0o777 });
    chmodSync(parent, 0o777);
    const t = { base: join(parent, 'state'), what: 'state directory' };
    assert.throws(() => verifyDir(t, t.base, { create: true }), refused(/\/open is writable by any user/));
    chmodSync(parent, 0o1777);
    assert.equal(verifyDir(t, t.base, { create: true }), true);
  });
});
