// nslab doctor's rules over a fake view of the machine: each sysctl that blocks rootless mode is
// a FAIL line with its fix, a machine that allows it says so, and the live try is the last word.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { doctor, type MachineView } from '../../../src/lab/doctor.js';

function view(sysctls: Record<string, string>, over: Partial<MachineView> = {}): MachineView {
  const programs = new Set(['unshare', 'nsenter', 'ip']);
  return {
    root: false,
    sysctl: (k) => sysctls[k],
    has: (p) => programs.has(p),
    tryUserns: () => undefined,
    ...over,
  };
}

const DEBIAN = { 'user/max_user_namespaces': '62891', 'kernel/unprivileged_userns_clone': '1' };

test('a Debian machine that allows user namespaces: rootless available, nothing fails', () => {
  const r = doctor(view(DEBIAN));
  assert.equal(r.rootless, true);
  assert.deepEqual(
    r.checks.filter((c) => c.status === 'fail'),
    [],
  );
  assert.ok(r.checks.some((c) => c.name === 'user namespace' && c.status === 'ok'));
});

test('each blocking sysctl is one FAIL line with the command that enables it', () => {
  const cases: Array<[Record<string, string>, string, RegExp]> = [
    [{ ...DEBIAN, 'user/max_user_namespaces': '0' }, 'user.max_user_namespaces', /sysctl -w user\.max_user_namespaces=/],
    [{ ...DEBIAN, 'kernel/unprivileged_userns_clone': '0' }, 'kernel.unprivileged_userns_clone', /sysctl -w kernel\.unprivileged_userns_clone=1/],
    [
      { ...DEBIAN, 'kernel/apparmor_restrict_unprivileged_userns': '1' },
      'kernel.apparmor_restrict_unprivileged_userns',
      /apparmor_restrict_unprivileged_userns=0/,
    ],
  ];
  for (const [sysctls, name, fix] of cases) {
    let tried = false;
    const r = doctor(
      view(sysctls, {
        tryUserns: () => {
          tried = true;
          return undefined;
        },
      }),
    );
    assert.equal(r.rootless, false, name);
    const fails = r.checks.filter((c) => c.status === 'fail');
    assert.deepEqual(
      fails.map((c) => c.name),
      [name],
    );
    assert.match(fails[0]?.fix ?? '', fix);
    assert.equal(tried, false, 'no live try when a sysctl already forbids it');
  }
});

test('a kernel without user namespaces, and Ubuntu with the AppArmor switch off, are told apart', () => {
  assert.match(doctor(view({})).checks.find((c) => c.name === 'user.max_user_namespaces')?.detail ?? '', /CONFIG_USER_NS/);
  const ubuntu = doctor(view({ 'user/max_user_namespaces': '100', 'kernel/apparmor_restrict_unprivileged_userns': '0' }));
  assert.equal(ubuntu.rootless, true);
  assert.ok(!ubuntu.checks.some((c) => c.name === 'kernel.unprivileged_userns_clone'), 'no line for a switch this kernel lacks');
});

test('the live try overrules the sysctls (a seccomp profile), and a missing program names its package', () => {
  const seccomp = doctor(view(DEBIAN, { tryUserns: () => 'unshare failed: Operation not permitted' }));
  assert.equal(seccomp.rootless, false);
  assert.match(seccomp.checks.find((c) => c.name === 'user namespace')?.detail ?? '', /Operation not permitted/);
  const noNsenter = doctor(view(DEBIAN, { has: (p) => p === 'unshare' || p === 'ip' }));
  assert.equal(noNsenter.rootless, false);
  assert.equal(noNsenter.checks.find((c) => c.name === 'nsenter')?.fix, 'install util-linux');
});

test('outbound access names the package to install when no user-mode network stack is present', () => {
  const none = doctor(view(DEBIAN)).checks.find((c) => c.name === 'outbound access');
  assert.equal(none?.status, 'warn');
  assert.equal(none?.fix, 'install the Debian package slirp4netns');
  const slirp = doctor(view(DEBIAN, { has: (p) => ['unshare', 'nsenter', 'ip', 'slirp4netns'].includes(p) })).checks.find((c) => c.name === 'outbound access');
  assert.equal(slirp?.status, 'ok');
  assert.match(slirp?.detail ?? '', /^slirp4netns found/);
});
