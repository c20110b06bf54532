// The one statement of what a lab, node, network and process name may be. Every layer that takes
// a name (the file parser, the CLI, the web API, clean's scan of the host, the marker parser)
// checks it here, so a rule changed once is changed everywhere. The wording of a refusal lives
// with the parser (topology/name-rules.ts); the rule itself, as data and as checks, lives here.

/** Longest lab name: it prefixes every kernel name, which the kernel caps at 15 bytes. */
export const MAX_LAB_NAME = 10;
/** Longest node or network name. */
export const MAX_NAME = 32;
/** Longest process name (it becomes a log file name and a key in the lab's state). */
export const MAX_PROCESS_NAME = 32;

/** A label (lab, node, network name): a-z first, then a-z 0-9 -, max characters in all. Unanchored. */
export function labelPattern(max: number): string {
  return `[a-z][a-z0-9-]{0,${max - 1}}`;
}

/** The lab name rule as an unanchored regular expression source. */
export const LAB_NAME = labelPattern(MAX_LAB_NAME);
/** The node and network name rule, unanchored. */
export const NODE_NAME = labelPattern(MAX_NAME);
/** The process name rule, unanchored: like a label, with '_' allowed too. */
export const PROCESS_NAME = `[a-z][a-z0-9_-]{0,${MAX_PROCESS_NAME - 1}}`;

const LAB_RE = new RegExp(`^${LAB_NAME}$`);
const NODE_RE = new RegExp(`^${NODE_NAME}$`);
const PROCESS_RE = new RegExp(`^${PROCESS_NAME}$`);

/** Whether text is a valid lab name (anything else given as a lab is a file, or not ours). */
export function isLabName(text: string): boolean {
  return LAB_RE.test(text);
}

/** Whether text is a valid node or network name. */
export function isNodeName(text: string): boolean {
  return NODE_RE.test(text);
}

/** Whether text is a valid process name. */
export function isProcessName(text: string): boolean {
  return PROCESS_RE.test(text);
}

/**
 * The process name a command suggests when none is given: its program's base name, lowercased,
 * with characters outside the rule turned into '-' and leading non-letters dropped; '' when
 * nothing is left (the caller picks its own fallback and length).
 */
export function processNameOf(program: string): string {
  return (program.split('/').pop() ?? '')
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '-')
    .replace(/^[^a-z]+/, '');
}
