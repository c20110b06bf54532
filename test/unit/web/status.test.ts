// Every error code has an HTTP status. The compiler proves the switch exhaustive; this proves it
// answers at run time for each code the list holds, and that it keeps the old rule: a missing
// lab or node is 404, bad input 400, everything else 500.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NAMED_ERROR_CODES } from '../../../src/util/error-codes.js';
import { statusOf } from '../../../src/web/http.js';

test('every named code maps to a status, by the old rule', () => {
  assert.ok(NAMED_ERROR_CODES.length >= 38);
  for (const code of NAMED_ERROR_CODES) {
    for (const exit of [1, 2] as const) {
      const want = code === 'no-lab' || code === 'no-node' ? 404 : undefined;
      const got = statusOf(code, exit);
      assert.ok([400, 404, 500].includes(got), `${code}: ${got}`);
      if (want !== undefined) assert.equal(got, want, code);
    }
  }
  assert.equal(statusOf('usage', 2), 400);
  assert.equal(statusOf('conflict', 1), 500);
  assert.equal(statusOf('no-process', 2), 400);
  assert.equal(statusOf('no-process', 1), 500);
});

test('a kernel refusal (an errno code) is a 500', () => {
  assert.equal(statusOf('EPERM', 1), 500);
  assert.equal(statusOf('E999', 1), 500);
});
