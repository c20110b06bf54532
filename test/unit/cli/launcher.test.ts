// bin/nslab's code cache (main.cjs.v8cache): a changed bundle is run as it now is, never from the
// cache of the old one; a verb the cache lacks adds itself at a successful exit, a failed run
// writes nothing; and a bundle older than tsc's output is not run at all. The launcher is copied
// beside a tiny bundle of its own in a temporary tree, so the real dist/ is never touched.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const repo = join(import.meta.dirname, '..', '..', '..', '..');

/** A bundle whose main prints WORD and the verb, and fails for the verb `fail`. Same length for every 4-letter WORD. */
const bundle = (word: string): string =>
  `exports.main = (argv) => { if (argv[0] === 'fail') process.exit(1); process.stdout.write('${word} ' + argv[0] + '\\n'); };\n`;

function tree(): { dir: string; run: (...args: string[]) => { status: number | null; stdout: string }; cacheHead: () => string | undefined } {
  const dir = mkdtempSync(join(tmpdir(), 'nslab-launcher-'));
  mkdirSync(join(dir, 'bin'));
  mkdirSync(join(dir, 'dist', 'bundle'), { recursive: true });
  copyFileSync(join(repo, 'bin', 'nslab'), join(dir, 'bin', 'nslab'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module', version: '9.9.9' }));
  const cache = join(dir, 'dist', 'bundle', 'main.cjs.v8cache');
  return {
    dir,
    run: (...args) => {
      const r = spawnSync(process.execPath, [join(dir, 'bin', 'nslab'), ...args], { encoding: 'utf8', timeout: 20_000 });
      return { status: r.status, stdout: r.stdout };
    },
    cacheHead: () => (existsSync(cache) ? readFileSync(cache).subarray(0, 200).toString('latin1').split('\n')[0] : undefined),
  };
}

test('the code cache is written at exit, grows by the verbs that succeed, and a changed bundle never runs from it', () => {
  const t = tree();
  try {
    const main = join(t.dir, 'dist', 'bundle', 'main.cjs');
    writeFileSync(main, bundle('AAAA'));
    assert.deepEqual(t.run('up'), { status: 0, stdout: 'AAAA up\n' });
    assert.match(t.cacheHead() ?? '', / up$/);
    assert.deepEqual(t.run('up'), { status: 0, stdout: 'AAAA up\n' });
    assert.deepEqual(t.run('down'), { status: 0, stdout: 'AAAA down\n' });
    assert.match(t.cacheHead() ?? '', / up down$/);
    // A failed run compiled little of its verb: the cache stays as it was.
    assert.equal(t.run('fail').status, 1);
    assert.match(t.cacheHead() ?? '', / up down$/);
    // Same length, other code (V8 would take the old cache for it): the new code runs.
    writeFileSync(main, bundle('BBBB'));
    utimesSync(main, new Date(), new Date(Date.now() + 5000));
    assert.deepEqual(t.run('down'), { status: 0, stdout: 'BBBB down\n' });
    assert.match(t.cacheHead() ?? '', /^\d+:[\d.]+ down$/);
    assert.deepEqual(t.run('--version'), { status: 0, stdout: '9.9.9\n' });
  } finally {
    rmSync(t.dir, { recursive: true, force: true });
  }
});

test('a bundle older than the compiled dist/ is not run: dist/ is', () => {
  const t = tree();
  try {
    const main = join(t.dir, 'dist', 'bundle', 'main.cjs');
    writeFileSync(main, bundle('AAAA'));
    mkdirSync(join(t.dir, 'dist', 'cli'));
    writeFileSync(join(t.dir, 'dist', 'cli', 'main.js'), "export function main(argv) { process.stdout.write('tsc ' + argv[0] + '\\n'); }\n");
    utimesSync(main, new Date(), new Date(Date.now() - 60_000));
    assert.deepEqual(t.run('up'), { status: 0, stdout: 'tsc up\n' });
    assert.equal(t.cacheHead(), undefined);
  } finally {
    rmSync(t.dir, { recursive: true, force: true });
  }
});
