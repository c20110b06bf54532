// Rootless mode: a user without CAP_NET_ADMIN and CAP_SYS_ADMIN (or anyone with --rootless) runs
// nslab inside a user namespace of their own, kept alive by one holder process per user (its
// Linux side is kernel/rootless.ts). Inside, the user is uid 0 with every capability over
// namespaces it creates, so the verbs run unchanged; the holder's network namespace plays the
// lab's host (bridges, host ends, gateways), so the user's real network is never touched. State
// lives in RUNTIME/nslab/state, outside the holder, so it survives a killed holder and `down` or
// `clean` can finish what a crash left. The holder is started by the first command that needs
// it and stopped by the first command after which no lab has state (and no other command uses it).
import { join } from 'node:path';
import { NslabError } from '../util/errors.js';
import { rootlessLinux } from './kernel.js';

/** Verbs that never enter the user namespace: they read only a file, or print. */
const OUTSIDE = new Set(['validate', 'graph', 'completion', 'doctor', 'help']);

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
    const status = await k.runInHolder(holder, argv, env);
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
