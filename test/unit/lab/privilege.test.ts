// Who may run what: the capability check, the one-line refusal per verb, and the backstop that
// turns an EACCES/EPERM reaching the top into one line.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hasAdminCaps, privilegeError, privilegeRefusal } from '../../../src/lab/privilege.js';
import { withStateDir } from '../helpers.js';

test('CapEff decides: both CAP_NET_ADMIN (12) and CAP_SYS_ADMIN (21) are needed', () => {
  assert.equal(hasAdminCaps('Name:\tnode\nCapEff:\t000001ffffffffff\n'), true);
  assert.equal(hasAdminCaps('CapEff:\t0000000000000000\n'), false);
  assert.equal(hasAdminCaps(`CapEff:\t${(1 << 12).toString(16).padStart(16, '0')}\n`), false, 'NET_ADMIN alone');
  assert.equal(hasAdminCaps(`CapEff:\t${((1 << 12) | (1 << 21)).toString(16).padStart(16, '0')}\n`), true);
});

test('verbs that create, enter or remove namespaces refuse without them, in one line; validate, graph and the read verbs do not', () => {
  assert.equal(
    privilegeRefusal('up', false)?.message,
    'up needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN to create namespaces): run it with sudo (or rootless, as yourself: see `nslab doctor`)',
  );
  for (const verb of ['up', 'down', 'clean', 'exec', 'run', 'show', 'test', 'trace', 'capture', 'ui']) {
    const e = privilegeRefusal(verb, false);
    assert.ok(e && e.exitStatus === 1 && e.message.startsWith(`${verb} needs root (`) && !e.message.includes('\n'), verb);
    assert.equal(privilegeRefusal(verb, true), undefined);
  }
  for (const verb of ['validate', 'graph', 'ls', 'ps', 'which', 'logs']) assert.equal(privilegeRefusal(verb, false), undefined, verb);
});

test('an EACCES under the state dir reads "cannot read DIR: needs root"; other errors are not touched', async () => {
  await withStateDir((_dir, state) => {
    const root = state.path;
    const e = Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES', errno: -13, path: `${root}/.lock-x`, syscall: 'open' });
    assert.equal(privilegeError(state, e, 'up')?.message, `up: cannot read ${root}: needs root (run it with sudo)`);
    const other = Object.assign(new Error('EPERM'), { code: 'EPERM', errno: -1, syscall: 'setns' });
    assert.match(privilegeError(state, other, 'show')?.message ?? '', /^show: setns: operation not permitted; /);
    assert.equal(privilegeError(state, new Error('bug'), 'up'), undefined);
  });
});
