// Rootless mode's way in (lab/rootless.ts): a verb that works on namespaces, run without
// CAP_NET_ADMIN and CAP_SYS_ADMIN (or with --rootless), is run again inside the user's holder.
// bin/nslab loads this module alone first (its own small bundle, dist/bundle/rootless.cjs) when
// the user is not root: the command that only joins the holder then never loads the whole CLI,
// which the command inside loads anyway. main.ts calls the same function when started otherwise.
import { isNslabError } from '../util/errors.js';
import { printable } from '../util/printable.js';
import { config } from './config.js';

/**
 * Run the command in the user's holder if it should run there: true when it ran (exit status
 * set). Removes a --rootless before any `--` from argv. Inside, the command has the
 * capabilities, so it never comes here twice.
 */
export async function dispatchRootless(argv: string[]): Promise<boolean> {
  // Only the flag before a `--` is ours: what follows is a command's own argv.
  const end = argv.includes('--') ? argv.indexOf('--') : argv.length;
  const forced = argv.slice(0, end).includes('--rootless');
  if (forced) argv.splice(0, end, ...argv.slice(0, end).filter((a) => a !== '--rootless'));
  const c = config();
  if (c.rootlessMode === 'inside' || (c.rootlessMode === 'off' && !forced)) return false;
  const r = await import('../lab/rootless.js');
  if (!r.entersUserNamespace(argv)) return false;
  if (!forced && (await import('../lab/privilege.js')).hasAdminCaps()) return false;
  const env = { ...process.env, NSLAB_ROOTLESS: 'inside', ...(c.stateDirSet ? {} : { NSLAB_STATE_DIR: r.rootlessPaths(c.rootless).state }) };
  process.exitCode = await r.runRootless(c.rootless, argv, env);
  return true;
}

/** bin/nslab's entry: dispatchRootless, its errors (one line each) reported as main reports them. */
export async function tryRootless(argv: string[]): Promise<boolean> {
  try {
    return await dispatchRootless(argv);
  } catch (e) {
    if (!isNslabError(e)) throw e;
    process.stderr.write(`nslab: ${printable(e.message, { lines: true })}\n`);
    process.exitCode = e.exitStatus;
    return true;
  }
}
