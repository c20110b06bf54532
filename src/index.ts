// The library API: the lab verbs and the model types. Nothing else is public. This is the
// library's edge: a caller passes the state root (`stateRoot`, default /run/nslab) in the options,
// and nothing here or below reads the environment for it.
import { DEFAULT_STATE_ROOT, stateRootAt, type StateRoot } from './lab/config.js';
import { down as downVerb, type DownOptions as LabDownOptions, type DownResult } from './lab/down.js';
import { exec as execVerb, type ExecOptions as LabExecOptions } from './lab/exec.js';
import { ls as lsVerb, type LabSummary } from './lab/ls.js';
import { show as showVerb, type Shown, type ShowOptions as LabShowOptions } from './lab/show.js';
import { up as upVerb, type UpOptions as LabUpOptions, type UpResult } from './lab/up.js';

/** Where lab state lives: `stateRoot` (made absolute), /run/nslab when not given. */
export interface StateRootOption {
  readonly stateRoot?: string;
}

type Public<T> = Omit<T, 'state' | 'inheritedLockFd'> & StateRootOption;
export type UpOptions = Public<LabUpOptions>;
export type DownOptions = Public<LabDownOptions>;
export type ShowOptions = Public<LabShowOptions>;
export type ExecOptions = Public<LabExecOptions>;
export type LsOptions = Public<NonNullable<Parameters<typeof lsVerb>[0]>>;

function rooted<T extends StateRootOption>(opts: T): Omit<T, 'stateRoot'> & { state: StateRoot } {
  const { stateRoot, ...rest } = opts;
  return { ...rest, state: stateRootAt(stateRoot ?? DEFAULT_STATE_ROOT) };
}

/** Build (or converge) a lab from a topology file. */
export function up(opts: UpOptions): Promise<UpResult> {
  return upVerb(rooted(opts));
}
/** Tear a lab down. */
export function down(opts: DownOptions): Promise<DownResult> {
  return downVerb(rooted(opts));
}
/** The labs on this host (of this state root). */
export function ls(opts: LsOptions = {}): Promise<LabSummary[]> {
  return lsVerb(rooted(opts));
}
/** A lab's nodes and networks as the kernel has them. */
export function show(opts: ShowOptions): Promise<Shown> {
  return showVerb(rooted(opts));
}
/** Run a command in a node; resolves to its exit status. */
export function exec(opts: ExecOptions): Promise<number> {
  return execVerb(rooted(opts));
}

export type { UpResult, DownResult, LabSummary, Shown };
export type { ShownNode, ShownNetwork, ShownIface } from './lab/show.js';
export type * from './model/types.js';
