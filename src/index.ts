// The library API: the lab verbs and the model types. Nothing else is public.
export { up } from './lab/up.js';
export type { UpOptions, UpResult } from './lab/up.js';
export { down } from './lab/down.js';
export type { DownOptions, DownResult } from './lab/down.js';
export { ls } from './lab/ls.js';
export type { LabSummary } from './lab/ls.js';
export { show } from './lab/show.js';
export type { Shown, ShownNode, ShownNetwork, ShownIface, ShowOptions } from './lab/show.js';
export { exec } from './lab/exec.js';
export type { ExecOptions } from './lab/exec.js';
export type * from './model/types.js';
