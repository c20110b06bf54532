// What may reach a terminal from text nslab did not write: control characters and bidi
// overrides become visible escapes; ordinary text, tabs and (in lines mode) newlines stay.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { printable } from '../../../src/util/printable.js';

test('escape sequences, C1 CSI, DEL and bidi overrides are shown, never sent to the terminal', () => {
  assert.equal(printable('sleep \u001b]0;pwned\u0007 \u001b[2J'), 'sleep \\x1b]0;pwned\\x07 \\x1b[2J');
  assert.equal(printable('a\u009b31mb'), 'a\\x9b31mb');
  assert.equal(printable('x\u007fy'), 'x\\x7fy');
  assert.equal(printable('evil\u202egnp.exe'), 'evil\\u202egnp.exe');
  assert.equal(printable('one\ntwo\tthree'), 'one\\x0atwo\\x09three');
  assert.equal(printable('one\ntwo\tthree\r', { lines: true }), 'one\ntwo\tthree\\x0d');
});

test('ordinary text, including non-ASCII letters, is left as it is', () => {
  for (const s of ['python3 -m http.server 8080', 'nœud-été', 'eth0@if12', '']) assert.equal(printable(s), s);
});
