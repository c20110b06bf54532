// Capped logs: the rotating writer never lets a file pass its cap (a chunk is split at the cap),
// keeps exactly `keep` rotated files, rotates an over-size log it finds at once and never writes
// through a planted symlink; the readers take a tail from the end (looking into <log>.1 after a
// rotation), stream a big log in bounded chunks and follow a log across rotations.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { LogFollower, streamFile, tailLines } from '../../../src/state/log-read.js';
import { RotatingLog, rotatedPaths } from '../../../src/state/log-rotate.js';
import { parseLogSize } from '../../../src/topology/schema-process.js';

function withDir(fn: (dir: string) => Promise<void> | void): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'nslab-log-'));
  return Promise.resolve(fn(dir)).finally(() => rmSync(dir, { recursive: true, force: true }));
}

const line = (i: number): string => `line ${String(i).padStart(5, '0')}\n`; // 11 bytes

test('rotation: no file passes the cap, keep files are kept, the newest output is in the log', () =>
  withDir((dir) => {
    const path = join(dir, 'a.p.log');
    const log = new RotatingLog(path, { maxBytes: 1000, keep: 2 });
    for (let i = 0; i < 1000; i++) log.write(Buffer.from(line(i)));
    log.write(Buffer.alloc(2500, 'x')); // bigger than the cap: split across rotations
    log.write(Buffer.from(line(99999)));
    log.close();
    for (const p of [path, ...rotatedPaths(path, 2)]) assert.ok(statSync(p).size <= 1000, `${p}: ${statSync(p).size} bytes`);
    assert.equal(existsSync(`${path}.3`), false);
    assert.match(readFileSync(path, 'utf8'), /x+line 99999\n$/);
    assert.equal(statSync(path).size + statSync(`${path}.1`).size + statSync(`${path}.2`).size, 2000 + ((2500 + 11) % 1000));
  }));

test('rotation: keep 0 keeps only the log; an over-size log found at start is rotated; a lowered keep drops the extra', () =>
  withDir((dir) => {
    const path = join(dir, 'b.p.log');
    writeFileSync(path, 'old\n'.repeat(1000));
    const log = new RotatingLog(path, { maxBytes: 1000, keep: 1 });
    assert.equal(statSync(path).size, 0);
    assert.equal(statSync(`${path}.1`).size, 4000);
    log.setCap({ maxBytes: 1000, keep: 0 });
    log.write(Buffer.alloc(1500, 'y'));
    log.close();
    assert.equal(existsSync(`${path}.1`), false);
    assert.equal(readFileSync(path, 'utf8'), 'y'.repeat(500));
  }));

test('rotation: a symlink planted as the log is never written through', () =>
  withDir((dir) => {
    const victim = join(dir, 'victim');
    writeFileSync(victim, 'precious');
    const path = join(dir, 'c.p.log');
    symlinkSync(victim, path);
    assert.throws(() => new RotatingLog(path, { maxBytes: 1000, keep: 1 }), /ELOOP/);
    assert.equal(readFileSync(victim, 'utf8'), 'precious');
  }));

test('tail: the last lines from the end of a big (sparse) file, and from <log>.1 just after a rotation', () =>
  withDir((dir) => {
    const path = join(dir, 'd.p.log');
    writeFileSync(path, '');
    truncateSync(path, 600 * 1024 * 1024); // 600 MB of zeros, no RAM: only the end is read
    writeFileSync(path, 'before\nlast one\n', { flag: 'a' });
    assert.deepEqual(tailLines(path, 1), ['last one']);
    const two = tailLines(path, 2);
    assert.equal(two[1], 'last one');
    assert.ok(two[0]!.length < 64 * 1024 && two[0]!.endsWith('before'));
    writeFileSync(`${dir}/e.p.log.1`, 'a\nb\nc\n');
    writeFileSync(`${dir}/e.p.log`, 'd\n');
    assert.deepEqual(tailLines(`${dir}/e.p.log`, 3), ['b', 'c', 'd']);
    assert.deepEqual(tailLines(`${dir}/missing.log`, 3), []);
  }));

test('stream: a big log comes in chunks of at most 64 KiB; follow: what is appended, across a rotation', () =>
  withDir(async (dir) => {
    const path = join(dir, 'f.p.log');
    writeFileSync(path, 'z'.repeat(1024 * 1024));
    let max = 0;
    let total = 0;
    await streamFile(path, (t) => {
      max = Math.max(max, t.length);
      total += t.length;
    });
    assert.equal(total, 1024 * 1024);
    assert.ok(max <= 64 * 1024, `chunk of ${max}`);

    const g = join(dir, 'g.p.log');
    const log = new RotatingLog(g, { maxBytes: 20, keep: 1 });
    const f = new LogFollower(g);
    let out = '';
    const sink = (t: string): void => {
      out += t;
    };
    log.write(Buffer.from('one\n'));
    await f.drain(sink);
    log.write(Buffer.from('two\n'));
    await f.drain(sink);
    log.write(Buffer.from('three-four-five\n')); // rotates: 'one\ntwo\n' + 12 bytes, then the rest
    log.write(Buffer.from('six\n'));
    await f.drain(sink);
    f.close();
    log.close();
    assert.equal(out, 'one\ntwo\nthree-four-five\nsix\n');
  }));

test('log sizes: units are powers of 1024 (K, KiB, M, MiB) or 1000 (kB, MB, GB); plain numbers are bytes', () => {
  assert.equal(parseLogSize('10MiB'), 10 * 1024 * 1024);
  assert.equal(parseLogSize('512K'), 512 * 1024);
  assert.equal(parseLogSize('1.5MB'), 1_500_000);
  assert.equal(parseLogSize('4096'), 4096);
  assert.equal(parseLogSize('2 GiB'), 2 * 1024 ** 3);
  assert.equal(parseLogSize('10mib'), undefined);
});
