// Rootless mode: a user without CAP_NET_ADMIN and CAP_SYS_ADMIN (or anyone with --rootless) runs
// nslab inside a user namespace of their own, kept alive by one holder process per user (its
// Linux side is kernel/rootless.ts). Inside, the user is uid 0 with every capability over
// namespaces it creates, so the verbs run unchanged; the holder's network namespace plays the
// lab's host (bridges, host ends, gateways), so the user's real network is never touched. State
// lives in RUNTIME/nslab/state, outside the holder, so it survives a killed holder and `down` or
// `clean` can finish what a crash left. The holder is started by the first command that needs
// it and stopped by the first command after which no lab has state (and no other command uses it).
import { join } from 'node:path';
import { stateRootAt } from '../state/root.js';
import { NslabError } from '../util/errors.js';
import { rootlessLinux, uplinkLinux } from './kernel.js';
import { wantedUplink } from './uplink.js';

/** Verbs after which the uplink is made to serve what the labs now want (lab/uplink.ts). */
const CHANGES_LABS = new Set(['up', 'down', 'clean']);

/** Verbs that never enter the user namespace: they read only a file, or print. */
const OUTSIDE = new Set(['validate', 'graph', 'merge', 'completion', 'doctor', 'help']);

/** Where a user's rootless files live, decided at the edge. */
export interface RootlessPlace {
  /** $XDG_RUNTIME_DIR, else the documented fallback /tmp/nslab-UID. */
  readonly runtime: string;
}

/** The holder's directory and the state root inside it. */
export function rootlessPaths(place: RootlessPlace): { readonly dir: string; readonly state: string } {
  const dir = join(place.runtime, 'nslab');
  return { dir, state: join(dir, 'state') };
}

/** Whether this argv (verb first) should run inside the user's namespace rather than here. */
export function entersUserNamespace(argv: readonly string[]): boolean {
  const verb = argv.find((a) => !a.startsWith('-'));
  if (verb === undefined || OUTSIDE.has(verb)) return false;
  // --help and --version anywhere are answered here.
  return !argv.some((a) => a === '--help' || a === '-h' || a === '--version' || a === '-V');
}

const START_WAIT_MS = 10_000;

/**
 * Run the command (argv without node and script) inside the user's holder, starting one if none
 * is alive; returns its exit status. `env` is the environment the inner command gets (the edge
 * sets its state root there).
 */
export async function runRootless(place: RootlessPlace, argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const k = await rootlessLinux();
  const { dir, state } = rootlessPaths(place);
  const dirs = { runtime: place.runtime, dir };
  k.ensureDirs(dirs);
  const lock = k.lockShared(dirs);
  try {
    let holder = k.liveHolder(dirs);
    const deadline = Date.now() + START_WAIT_MS;
    while (!holder) {
      if (k.tryExclusive(lock)) {
        // Exclusive: no other command is starting one or using a dead one's files.
        holder = k.liveHolder(dirs) ?? (await k.startHolder(dirs));
        k.backToShared(lock);
        break;
      }
      if (Date.now() > deadline) {
        throw new NslabError(
          'busy',
          `another nslab command of yours holds ${join(dir, 'holder.lock')} while no holder runs; let it finish and run this again`,
          1,
        );
      }
      await new Promise((r) => setTimeout(r, 50));
      holder = k.liveHolder(dirs);
    }
    // ui serves on 127.0.0.1 of the user's own network, not the holder's: the socket is made
    // here and handed down (a socket keeps the namespace it was made in).
    const ui = argv.find((a) => !a.startsWith('-')) === 'ui' ? uiSocket(k, argv) : undefined;
    let status: number;
    // The lowest port the user may open on their own network, for up's checks of publish: (inside,
    // the holder's namespace has its own setting).
    const inner = { ...env, NSLAB_ROOTLESS_PORT_START: String(k.unprivilegedPortStart()) };
    try {
      status = await k.runInHolder(holder, argv, inner, ui);
    } finally {
      if (ui !== undefined) k.closeFd(ui);
    }
    const verb = argv.find((a) => !a.startsWith('-')) ?? '';
    if (CHANGES_LABS.has(verb)) await serveUplink(dirs, state, k.liveHolder(dirs));
    // Nothing left to keep: stop the holder, unless another command is using it.
    if (!k.anyLabState(state) && k.tryExclusive(lock)) {
      const h = k.liveHolder(dirs);
      if (h) k.stopHolder(dirs, h);
    }
    return status;
  } finally {
    k.unlock(lock);
  }
}

/**
 * Make the uplink serve what the labs want now: start it for the first lab that needs a way out,
 * keep its host forwards to the published ports, stop it when no lab needs it.
 */
async function serveUplink(
  dirs: { readonly runtime: string; readonly dir: string },
  state: string,
  holder: { readonly pid: number } | undefined,
): Promise<void> {
  const u = await uplinkLinux();
  const k = await rootlessLinux();
  const want = holder ? wantedUplink(stateRootAt(state)) : undefined;
  if (!want || !holder) {
    u.stopUplink(dirs);
    return;
  }
  const program = k.findProgram('slirp4netns');
  // up refused the lab without it (lab/preflight.ts): nothing to serve.
  if (program === undefined) return;
  if (!u.liveUplink(dirs, holder)) await u.startUplink(dirs, holder, program);
  await u.setForwards(dirs, want.forwards);
}

const UI_PORT = 8470;

/** `nslab ui`'s --port (-p) from argv: undefined when not given (the default, or any free port). */
export function uiPortOf(argv: readonly string[]): number | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--') break;
    const v = a === '-p' || a === '--port' ? argv[i + 1] : a.startsWith('--port=') ? a.slice(7) : undefined;
    if (v !== undefined) return /^\d+$/.test(v) && Number(v) <= 65535 ? Number(v) : undefined;
  }
  return undefined;
}

/** A socket listening on 127.0.0.1 in this (the user's) network namespace: its fd. */
function uiSocket(k: Awaited<ReturnType<typeof rootlessLinux>>, argv: readonly string[]): number {
  const asked = uiPortOf(argv);
  try {
    return k.listenLoopback(asked ?? UI_PORT);
  } catch (e) {
    const code = (e as { code?: string }).code;
    // The default port falls back to any free one, as for root (web/server.ts); a port asked for must be free.
    if (code === 'EADDRINUSE' && asked === undefined) return k.listenLoopback(0);
    throw new NslabError(
      'listen-failed',
      `cannot listen on 127.0.0.1:${asked ?? UI_PORT} (${code ?? String(e)})${code === 'EADDRINUSE' ? ': the port is taken; pick another with --port, or --port 0 for any free one' : ''}`,
      1,
    );
  }
}
