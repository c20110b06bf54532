// The command line's configuration, read from the environment once, here at the edge, and passed
// down to the verbs in their options: nothing below cli/ reads an NSLAB_ variable. The README's
// table of environment variables lists them.
import { DEFAULT_STATE_ROOT, linuxKernelWith, setTiming, stateRootAt, type StateRoot } from '../lab/config.js';
import type { KernelFactory } from '../lab/kernel.js';

/** What the environment configures for one nslab run. */
export interface CliConfig {
  /** NSLAB_STATE_DIR (made absolute), else /run/nslab. */
  readonly state: StateRoot;
  /** Spread into the options of verbs that open the kernel: the real kernel with nft run as a program when NSLAB_NFT_CLI=1. */
  readonly kernel: { readonly openKernel?: KernelFactory };
  /** NSLAB_LOCK_FD: the lab lock down's background finisher inherits from the down that started it. */
  readonly inheritedLockFd?: number;
  /** NSLAB_TIMING=1. */
  readonly timing: boolean;
  /** Where rootless mode keeps its files: $XDG_RUNTIME_DIR when absolute, else /tmp/nslab-UID. */
  readonly rootless: { readonly runtime: string };
  /** NSLAB_ROOTLESS: `off` never enters a user namespace (verbs then need root); `inside` is set by rootless mode for the command it runs inside. */
  readonly rootlessMode: 'auto' | 'off' | 'inside';
  /** NSLAB_UI_FD, inside rootless mode only: the socket `ui` serves on, made in the user's own network. */
  readonly uiFd?: number;
  /** NSLAB_ROOTLESS_PORT_START, inside rootless mode: the lowest port the user may open on their own network. */
  readonly rootlessPortStart: number;
  /** NSLAB_STATE_DIR was set: rootless mode keeps it instead of its own state root. */
  readonly stateDirSet: boolean;
}

/** The configuration an environment gives (pure: reads only `env`). */
export function configFrom(env: NodeJS.ProcessEnv, uid = process.getuid?.() ?? 0): CliConfig {
  const state = env['NSLAB_STATE_DIR'];
  const xdg = env['XDG_RUNTIME_DIR'];
  const fd = Number(env['NSLAB_LOCK_FD']);
  return {
    state: stateRootAt(state ? state : DEFAULT_STATE_ROOT),
    kernel: env['NSLAB_NFT_CLI'] === '1' ? { openKernel: linuxKernelWith({ nftCli: true }) } : {},
    ...(env['NSLAB_LOCK_FD'] && Number.isSafeInteger(fd) && fd > 2 ? { inheritedLockFd: fd } : {}),
    timing: env['NSLAB_TIMING'] === '1',
    rootless: { runtime: xdg?.startsWith('/') ? xdg : `/tmp/nslab-${uid}` },
    stateDirSet: Boolean(state),
    rootlessPortStart: /^\d{1,5}$/.test(env['NSLAB_ROOTLESS_PORT_START'] ?? '') ? Number(env['NSLAB_ROOTLESS_PORT_START']) : 1024,
    ...(env['NSLAB_ROOTLESS'] === 'inside' && /^[3-9]$/.test(env['NSLAB_UI_FD'] ?? '') ? { uiFd: Number(env['NSLAB_UI_FD']) } : {}),
    rootlessMode: env['NSLAB_ROOTLESS'] === 'off' ? 'off' : env['NSLAB_ROOTLESS'] === 'inside' ? 'inside' : 'auto',
  };
}

let current: CliConfig | undefined;

/**
 * This run's configuration: read from process.env on the first call (main makes that call before
 * any command runs), the same object after. The inherited lock fd is taken out of the environment
 * then, so no process this one starts inherits its number.
 */
export function config(): CliConfig {
  if (current) return current;
  current = configFrom(process.env);
  delete process.env['NSLAB_LOCK_FD'];
  setTiming(current.timing);
  return current;
}
