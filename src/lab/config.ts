// What the edges (cli/, the library entry src/index.ts) need to build the configuration they pass
// down to the verbs. The values themselves are decided there, never below: the CLI reads the
// environment once, a library caller passes options.
export { stateRootAt, type StateRoot } from '../state/root.js';
export { linuxKernelWith } from './kernel.js';
export { setTiming } from '../util/timing.js';

/** The state root when the edge is given none. */
export const DEFAULT_STATE_ROOT = '/run/nslab';
