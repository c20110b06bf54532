// The list of error codes is the codes the source uses: none missing (the compiler sees to that:
// NslabError takes only listed codes), none listed that nothing throws any more.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ERROR_CODES, isErrnoCode, NAMED_ERROR_CODES } from '../../../src/util/error-codes.js';

const root = join(import.meta.dirname, '..', '..', '..', '..', 'src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? sources(join(dir, d.name)) : d.name.endsWith('.ts') ? [readFileSync(join(dir, d.name), 'utf8')] : [],
  );
}

test('every listed code is thrown somewhere, and documented', () => {
  // Thrown: `new NslabError('code', ...)` or a subclass's `super('code', ...)` (not web/http.ts's case labels).
  const thrown = new Set(sources(root).flatMap((t) => [...t.matchAll(/(?:NslabError|super)\(\s*'([a-z-]+)'/g)].map((m) => m[1])));
  for (const code of NAMED_ERROR_CODES) {
    assert.ok(thrown.has(code), `${code} is listed but nothing throws it`);
    assert.ok(ERROR_CODES[code].length > 10, code);
  }
});

test('named codes never look like errno names, so the two kinds never mix', () => {
  for (const code of NAMED_ERROR_CODES) assert.ok(!isErrnoCode(code), code);
  for (const code of ['EPERM', 'EEXIST', 'E123']) assert.ok(isErrnoCode(code), code);
  for (const code of ['', 'E', 'eperm', 'no-lab']) assert.ok(!isErrnoCode(code), code);
});
