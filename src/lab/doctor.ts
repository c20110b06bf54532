// `nslab doctor`: whether this machine lets this user build labs, and how to enable what is
// missing, one line per check. The rules are pure over a view of the machine (the sysctls under
// /proc/sys, programs on PATH, one live try of a user namespace), so they are unit-tested with a
// fake view; linuxView() is the real one.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** What doctor looks at. */
export interface MachineView {
  /** A /proc/sys value (trimmed), or undefined when the file does not exist. */
  readonly sysctl: (key: string) => string | undefined;
  /** Whether a program is on PATH. */
  readonly has: (program: string) => boolean;
  /** Try `unshare --user --map-root-user --net --mount true`: undefined when it worked, else its error line. */
  readonly tryUserns: () => string | undefined;
  /** Whether this process already has CAP_NET_ADMIN and CAP_SYS_ADMIN (root). */
  readonly root: boolean;
}

/** One check: ok, a problem that stops rootless mode (fail), or something optional missing (warn). */
export interface Check {
  readonly name: string;
  readonly status: 'ok' | 'fail' | 'warn' | 'info';
  readonly detail: string;
  /** How to fix it, when it is not ok. */
  readonly fix?: string;
}

/** Doctor's answer: the checks, and whether rootless mode can run here. */
export interface DoctorReport {
  readonly checks: readonly Check[];
  readonly rootless: boolean;
}

/** The checks for a view (pure). */
export function doctor(v: MachineView): DoctorReport {
  const checks: Check[] = [];
  checks.push({
    name: 'privileges',
    status: 'info',
    detail: v.root
      ? 'you are root: labs are built in the host (/run/nslab); --rootless builds them in your own user namespace'
      : 'not root: labs are built rootless, in a user namespace of your own',
  });
  const max = v.sysctl('user/max_user_namespaces');
  checks.push(
    max === undefined
      ? {
          name: 'user.max_user_namespaces',
          status: 'fail',
          detail: 'this kernel has no user namespaces (CONFIG_USER_NS)',
          fix: 'use a kernel built with CONFIG_USER_NS=y',
        }
      : Number(max) > 0
        ? { name: 'user.max_user_namespaces', status: 'ok', detail: max }
        : {
            name: 'user.max_user_namespaces',
            status: 'fail',
            detail: `${max}: user namespaces are disabled`,
            fix: 'sudo sysctl -w user.max_user_namespaces=15000 (and in /etc/sysctl.d to keep it)',
          },
  );
  // Debian's and Ubuntu's kernels carry this switch; others do not have the file.
  const clone = v.sysctl('kernel/unprivileged_userns_clone');
  if (clone !== undefined) {
    checks.push(
      clone === '0'
        ? {
            name: 'kernel.unprivileged_userns_clone',
            status: 'fail',
            detail: '0: only root may create user namespaces',
            fix: 'sudo sysctl -w kernel.unprivileged_userns_clone=1 (and in /etc/sysctl.d to keep it)',
          }
        : { name: 'kernel.unprivileged_userns_clone', status: 'ok', detail: clone },
    );
  }
  // Ubuntu 23.10 and later: AppArmor lets unconfined programs create a user namespace but takes
  // every capability away inside it, unless a profile allows it.
  const aa = v.sysctl('kernel/apparmor_restrict_unprivileged_userns');
  if (aa !== undefined) {
    checks.push(
      aa === '1'
        ? {
            name: 'kernel.apparmor_restrict_unprivileged_userns',
            status: 'fail',
            detail: '1: AppArmor denies capabilities inside unprivileged user namespaces',
            fix: 'sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0, or an AppArmor profile for node with "userns,"',
          }
        : { name: 'kernel.apparmor_restrict_unprivileged_userns', status: 'ok', detail: aa },
    );
  }
  for (const [program, pkg] of [
    ['unshare', 'util-linux'],
    ['nsenter', 'util-linux'],
    ['ip', 'iproute2'],
  ] as const) {
    checks.push(
      v.has(program)
        ? { name: program, status: 'ok', detail: 'found' }
        : { name: program, status: 'fail', detail: 'not found: rootless mode starts its holder and joins it with it', fix: `install ${pkg}` },
    );
  }
  const blocked = checks.some((c) => c.status === 'fail');
  // The decisive check: the sysctls are hints, a real try is the truth (a container's seccomp
  // profile, for one, forbids unshare whatever the sysctls say).
  const tried = blocked ? 'skipped' : v.tryUserns();
  if (tried !== 'skipped') {
    checks.push(
      tried === undefined
        ? { name: 'user namespace', status: 'ok', detail: 'created one with a network and a mount namespace inside' }
        : {
            name: 'user namespace',
            status: 'fail',
            detail: `cannot create one: ${tried}`,
            fix: 'a container or security module forbids it: run nslab on the host, or with sudo',
          },
    );
  }
  checks.push({
    name: 'newuidmap',
    status: 'info',
    detail: v.has('newuidmap')
      ? 'found (not needed: nslab maps only your own uid)'
      : 'not found, and not needed: nslab maps only your own uid (--map-root-user)',
  });
  // kernel/uplink.ts drives slirp4netns: its API adds and removes published ports on a live lab.
  checks.push(
    v.has('slirp4netns')
      ? { name: 'outbound access', status: 'ok', detail: 'slirp4netns found: rootless nat: and publish: go through it' }
      : {
          name: 'outbound access',
          status: 'warn',
          detail: 'slirp4netns not found: rootless labs with nat: or publish: are refused (the others work, reaching only each other)',
          fix: 'install the Debian package slirp4netns',
        },
  );
  return { checks, rootless: !checks.some((c) => c.status === 'fail') };
}

/** The real machine. */
export function linuxView(root: boolean): MachineView {
  const path = (process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(':').filter(Boolean);
  return {
    root,
    sysctl: (key) => {
      try {
        return readFileSync(join('/proc/sys', key), 'utf8').trim();
      } catch {
        return undefined;
      }
    },
    has: (program) => path.some((d) => existsSync(join(d, program))),
    tryUserns: () => {
      const r = spawnSync('unshare', ['--user', '--map-root-user', '--net', '--mount', 'true'], { encoding: 'utf8', timeout: 10_000 });
      if (r.status === 0) return undefined;
      return (r.stderr ?? '').trim().split('\n').pop() || (r.error?.message ?? `exit status ${r.status}`);
    },
  };
}
