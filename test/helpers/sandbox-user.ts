// The sandbox's own unprivileged user, for the e2e suite run rootless (NSLAB_E2E_USER=1, set by
// scripts/test-rootless.mjs): a uid no one else has (200000 + the sandbox's PID, so two sandboxes
// at once never share one), named in a private /etc/passwd bind-mounted in the sandbox's mount
// namespace only, with its runtime directory /run/user/UID (0700, theirs) as a login manager
// makes it. nslab runs as that user (setpriv, no capabilities) and so builds its labs rootless,
// inside its holder; the tests' checks (ip, ping, cat) run as root in the holder's network and
// mount namespaces while it lives, so "the host" they look at is the lab's host there. There
// (only: root's nslab in the sandbox keeps its own), /run/nslab is a link to the user's state
// root, so checks that read a lab's journal find it.
import * as fs from 'node:fs';

/** The unprivileged user of one sandbox. */
export interface SandboxUser {
  readonly uid: number;
  /** Its $XDG_RUNTIME_DIR inside the sandbox. */
  readonly runtime: string;
  /** argv run as the user (setpriv, no capabilities, no groups). */
  wrap(argv: readonly string[]): string[];
  /** The environment the user's commands get. */
  env(base?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
  /** Whether argv came from wrap() (it runs in the sandbox itself, not in the holder). */
  isUserCommand(argv: readonly string[]): boolean;
  /** Whether argv runs nslab (bin/nslab), directly or in a shell command line. */
  runsNslab(argv: readonly string[]): boolean;
}

type Run = (argv: readonly string[]) => Promise<{ code: number | null; stderr: string }>;

/** Whether the e2e tests run nslab as an unprivileged user (rootless). */
export function sandboxUserWanted(): boolean {
  return process.env['NSLAB_E2E_USER'] === '1';
}

/** Make the user inside the sandbox (whose init shell is pid); run runs a root command there. */
export async function makeUser(pid: number, run: Run): Promise<SandboxUser> {
  const uid = 200_000 + pid;
  const runtime = `/run/user/${uid}`;
  const setup = [
    `mkdir -p ${runtime}`,
    `chown ${uid}:${uid} ${runtime}`,
    `chmod 700 ${runtime}`,
    'cp /etc/passwd /run/.e2e-passwd',
    `echo "nslab-e2e:x:${uid}:${uid}:nslab e2e:${runtime}:/bin/sh" >> /run/.e2e-passwd`,
    'mount --bind /run/.e2e-passwd /etc/passwd',
    'cp /etc/group /run/.e2e-group',
    `echo "nslab-e2e:x:${uid}:" >> /run/.e2e-group`,
    'mount --bind /run/.e2e-group /etc/group',
  ].join(' && ');
  const r = await run(['sh', '-c', setup]);
  if (r.code !== 0) throw new Error(`cannot make the sandbox's user: ${r.stderr}`);
  const setpriv = ['setpriv', `--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', '--'];
  return {
    uid,
    runtime,
    wrap: (argv) => [...setpriv, ...argv],
    env: (base = process.env) => {
      const e: NodeJS.ProcessEnv = { ...base, XDG_RUNTIME_DIR: runtime, HOME: runtime, USER: 'nslab-e2e', LOGNAME: 'nslab-e2e' };
      delete e['NSLAB_ROOTLESS'];
      delete e['NSLAB_STATE_DIR'];
      return e;
    },
    isUserCommand: (argv) => argv[0] === 'setpriv' && argv[1] === `--reuid=${uid}`,
    runsNslab: (argv) => argv.some((a) => a.includes('/bin/nslab')),
  };
}

/** Holders whose mount namespace already has the /run/nslab link. */
const linked = new Set<string>();

/**
 * Where checks run: the user's live holder (its PID), else the sandbox (sandboxPid). A holder is
 * the one the user's runtime directory names, checked to be that uid's process in a user
 * namespace of its own.
 */
export async function checkTarget(sandboxPid: number, user: SandboxUser, run: (pid: number, argv: readonly string[]) => Promise<unknown>): Promise<number> {
  let holder: number;
  try {
    holder = Number(fs.readFileSync(`/proc/${sandboxPid}/root${user.runtime}/nslab/holder.pid`, 'utf8').split(' ')[0]);
    const status = fs.readFileSync(`/proc/${holder}/status`, 'utf8');
    if (Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]) !== user.uid || /^State:\s+Z/m.test(status)) return sandboxPid;
    if (fs.readlinkSync(`/proc/${holder}/ns/user`) === fs.readlinkSync('/proc/self/ns/user')) return sandboxPid;
  } catch {
    return sandboxPid;
  }
  const key = `${holder}:${fs.readlinkSync(`/proc/${holder}/ns/mnt`)}`;
  if (!linked.has(key)) {
    // As the user: the holder's /run is a tmpfs of its user namespace, where real root's uid 0
    // is not mapped (a file root made there would have no owner: EOVERFLOW).
    await run(holder, user.wrap(['ln', '-sfn', `${user.runtime}/nslab/state`, '/run/nslab']));
    linked.add(key);
  }
  return holder;
}

/** PIDs of live (not zombie) processes whose real uid is uid (the sandbox user's: all started by the test). */
export function userPids(uid: number): number[] {
  const out: number[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const status = fs.readFileSync(`/proc/${d}/status`, 'utf8');
      if (Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]) === uid && !/^State:\s+Z/m.test(status)) out.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}
