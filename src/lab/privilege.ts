// Who may run what. Verbs that create, enter or remove namespaces need CAP_NET_ADMIN and
// CAP_SYS_ADMIN (in practice root): without them they stop at once with one line saying what
// they need, instead of failing half way with EACCES or, worse, answering wrongly ("no labs").
// validate and graph read only the file and need nothing. Read verbs that only read the state
// directory (ls, ps, which, logs) are refused by the store when it is unreadable
// (state/store.ts). privilegeError is the backstop for an EACCES/EPERM that gets through anyway.
import { readFileSync } from 'node:fs';
import type { StateRoot } from '../state/root.js';

import { NslabError } from '../util/errors.js';

const CAP_NET_ADMIN = 12n;
const CAP_SYS_ADMIN = 21n;

const CREATE = 'CAP_NET_ADMIN and CAP_SYS_ADMIN to create namespaces';
const REMOVE = 'CAP_NET_ADMIN and CAP_SYS_ADMIN to remove namespaces';
const ENTER = "CAP_SYS_ADMIN to enter the lab's namespaces";

/** What each verb that needs privileges needs them for; verbs not listed need none. */
const NEEDS: Readonly<Record<string, string>> = {
  up: CREATE,
  down: REMOVE,
  clean: REMOVE,
  exec: ENTER,
  run: ENTER,
  show: ENTER,
  test: ENTER,
  scenario: ENTER,
  trace: ENTER,
  capture: ENTER,
  ui: ENTER,
};

const SUDO = 'run it with sudo (or rootless, as yourself: see `nslab doctor`)';

/** Whether this process has CAP_NET_ADMIN and CAP_SYS_ADMIN (root has; /proc/self/status CapEff). */
export function hasAdminCaps(status?: string): boolean {
  let text = status;
  if (text === undefined) {
    if (process.geteuid?.() === 0) return true;
    try {
      text = readFileSync('/proc/self/status', 'utf8');
    } catch {
      return false;
    }
  }
  const hex = /^CapEff:\s*([0-9a-f]+)/im.exec(text)?.[1];
  if (hex === undefined) return false;
  const eff = BigInt(`0x${hex}`);
  return ((eff >> CAP_NET_ADMIN) & 1n) === 1n && ((eff >> CAP_SYS_ADMIN) & 1n) === 1n;
}

/** The refusal for a verb run without the capabilities it needs, or undefined when it may run. */
export function privilegeRefusal(verb: string, caps = hasAdminCaps()): NslabError | undefined {
  const need = NEEDS[verb];
  if (need === undefined || caps) return undefined;
  return new NslabError('needs-root', `${verb} needs root (${need}): ${SUDO}`, 1);
}

/** Throw privilegeRefusal's error, if any (called before a verb starts). */
export function requirePrivileges(verb: string): void {
  const e = privilegeRefusal(verb);
  if (e) throw e;
}

/**
 * The backstop: a permission error (EACCES, EPERM) that reached the top becomes one line naming
 * the path or operation and what is needed, never a stack trace. Undefined for anything else.
 */
export function privilegeError(root: StateRoot, e: unknown, verb: string | undefined): NslabError | undefined {
  const n = e as NodeJS.ErrnoException & { errno?: number };
  if (typeof e !== 'object' || e === null || (n.code !== 'EACCES' && n.code !== 'EPERM')) return undefined;
  const what = n.path ?? (n.syscall ? `${n.syscall}` : undefined);
  const under = n.path?.startsWith(root.path);
  const prefix = verb ? `${verb}: ` : '';
  if (under) return new NslabError('needs-root', `${prefix}cannot read ${root.path}: needs root (run it with sudo)`, 1);
  const denied = n.code === 'EPERM' ? 'operation not permitted' : 'permission denied';
  const need = hasAdminCaps()
    ? 'the kernel refused it even with CAP_NET_ADMIN and CAP_SYS_ADMIN (a container or a security module may forbid it)'
    : `needs root: ${SUDO}`;
  return new NslabError('needs-root', `${prefix}${what ? `${what}: ` : ''}${denied}; ${need}`, 1);
}
