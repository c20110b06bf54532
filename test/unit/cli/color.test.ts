// When output is coloured: on a terminal unless NO_COLOR (non-empty) or TERM=dumb; FORCE_COLOR
// (non-empty) decides over all of that, as in Node: 0/false off, anything else on.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { colorEnabled } from '../../../src/cli/render.js';

test('colour follows the terminal, NO_COLOR and FORCE_COLOR, FORCE_COLOR winning', () => {
  const cases: Array<[NodeJS.ProcessEnv, boolean, boolean]> = [
    [{}, true, true],
    [{}, false, false],
    [{ NO_COLOR: '1' }, true, false],
    [{ NO_COLOR: '' }, true, true], // empty means unset (no-color.org)
    [{ TERM: 'dumb' }, true, false],
    [{ FORCE_COLOR: '1' }, false, true],
    [{ FORCE_COLOR: '3' }, false, true],
    [{ FORCE_COLOR: 'true' }, false, true],
    [{ FORCE_COLOR: '0' }, true, false],
    [{ FORCE_COLOR: 'false' }, true, false],
    [{ FORCE_COLOR: '' }, false, false], // empty means unset
    [{ FORCE_COLOR: '1', NO_COLOR: '1' }, false, true], // FORCE_COLOR wins, as in Node
    [{ FORCE_COLOR: '0', NO_COLOR: '' }, true, false],
  ];
  for (const [env, tty, want] of cases) assert.equal(colorEnabled(env, tty), want, `${JSON.stringify(env)} tty=${tty}`);
});
