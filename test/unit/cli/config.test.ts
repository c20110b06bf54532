// The CLI's configuration from the environment: where rootless mode keeps its files, and the
// NSLAB_ROOTLESS switch.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { configFrom } from '../../../src/cli/config.js';

test('rootless files go under $XDG_RUNTIME_DIR, else /tmp/nslab-UID (a relative XDG_RUNTIME_DIR is ignored)', () => {
  assert.equal(configFrom({ XDG_RUNTIME_DIR: '/run/user/1000' }, 1000).rootless.runtime, '/run/user/1000');
  assert.equal(configFrom({}, 1000).rootless.runtime, '/tmp/nslab-1000');
  assert.equal(configFrom({ XDG_RUNTIME_DIR: 'run/user' }, 1000).rootless.runtime, '/tmp/nslab-1000');
});

test('NSLAB_ROOTLESS: off and inside are read, anything else is automatic; NSLAB_STATE_DIR is noticed', () => {
  assert.equal(configFrom({}).rootlessMode, 'auto');
  assert.equal(configFrom({ NSLAB_ROOTLESS: 'off' }).rootlessMode, 'off');
  assert.equal(configFrom({ NSLAB_ROOTLESS: 'inside' }).rootlessMode, 'inside');
  assert.equal(configFrom({ NSLAB_ROOTLESS: '1' }).rootlessMode, 'auto');
  assert.equal(configFrom({}).stateDirSet, false);
  assert.equal(configFrom({ NSLAB_STATE_DIR: '/tmp/s' }).stateDirSet, true);
});
