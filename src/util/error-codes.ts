// Every code an NslabError carries, the one list. Programs match on codes (the web UI maps them
// to HTTP statuses, scripts read `code` from JSON answers), so a code is an API: adding one here
// is a decision, and web/http.ts fails to compile until it says how the new code is answered.

/** The named codes and what each means. The exit status travels with the error, not the code. */
export const ERROR_CODES = {
  ambiguous: 'a capture target is both a node and a network of the lab',
  'apply-failed': 'up: the kernel refused steps; the lab is partly built and journaled',
  'bad-file': 'an output file given on the command line cannot be created',
  'bad-filter': 'a capture filter tcpdump cannot use',
  'bad-pid': 'text given as a process ID is not one',
  'bad-report': "a file given to merge is not the JSON report of one machine's `nslab test --json`",
  'bad-topology': 'the topology file has problems (each listed with its line)',
  busy: 'another nslab holds the lock of the lab (or of the host settings)',
  'cannot-inspect': 'a process whose namespace /proc does not let us read',
  'clean-failed': 'clean could not remove some leftovers of a lab',
  conflict: "a foreign object (another lab's or the host's) is in the way; nothing was changed",
  'down-busy': 'down cannot proceed yet (something still uses the lab); try again after the cause',
  'down-failed': 'down could not remove everything; the journal keeps what is left',
  'host-limits': "the lab does not fit within the host's limits; nothing was changed",
  'host-mismatch': 'the lab is up with a different --host-netns than the one given',
  'bad-machine': '--as names no machine of the lab, or the lab declares no machines',
  'host-netns': "netns_of names a process in the host's own namespace, which nslab never adopts",
  'hosts-lab': 'the lab is the host namespace of other live labs; take those down first',
  interrupted: 'up stopped on a signal; the journal records what was built',
  'journal-damaged': "the lab's journal does not read, so down cannot tell what it owns",
  'journal-newer': "the lab's journal was written by a newer nslab, whose records this one cannot interpret",
  'lab-exists': 'the library was asked to start a lab whose name is already up (pass reuse to converge it instead)',
  'listen-failed': 'the web UI cannot listen on its port',
  'machine-twice': 'merge was given two reports of the same machine',
  'log-keeper': 'the per-lab log keeper cannot be started, or its pipe is not one',
  'missing-dependency': 'a program or kernel feature nslab needs is not installed',
  'needs-root': 'the operation needs privileges (CAP_NET_ADMIN, CAP_SYS_ADMIN) nslab lacks',
  'no-address': 'a trace target has no address to trace to',
  'no-expectations': 'test has nothing to probe (no expect: entries, gateways or address pairs)',
  'no-holder': "an isolated node's namespaces are gone (their holder is not running; the lab needs an up)",
  'no-iface': 'a node has no interface of that name',
  'no-lab': 'no lab of that name on this host (nor a readable topology file)',
  'no-link': 'an interface of the lab is missing in the kernel (the lab needs an up)',
  'no-netns': 'a namespace of the lab is missing in the kernel (the lab needs an up)',
  'no-node': 'the lab has no node of that name',
  'no-process': 'the node has no process of that name, or netns_of names a process that does not exist',
  'no-ui-files': "the web UI's files are missing from this installation",
  'not-found': 'exec: the command is not found in the node',
  'not-in-lab': "a process that is in no lab's namespace",
  'not-up': 'the lab is not up',
  'process-busy': 'a process of the lab (or its log keeper) did not stop when asked',
  'process-failed': 'a process of the lab exited or never became ready',
  'reports-differ': 'the reports given to merge are of different labs, topology files or kinds of run',
  rootless: "rootless mode cannot start or join the user's namespace holder, or cannot do what was asked without root",
  'setup-failed': "a node's files could not be placed, or one of its exec: steps failed",
  'unsafe-state': 'a state file or directory is not what nslab made (a link, another owner): refused',
  usage: 'bad flags or arguments on the command line',
  'write-failed': 'an output file could not be written',
} as const satisfies Readonly<Record<string, string>>;

/** A named code (ERROR_CODES). */
export type NamedErrorCode = keyof typeof ERROR_CODES;

/** The code of a KernelError: the errno's symbolic name (EPERM, EEXIST; `E<n>` when it has none). */
export type ErrnoCode = `E${string}`;

/** Every code an NslabError may carry. */
export type ErrorCode = NamedErrorCode | ErrnoCode;

/** The named codes, for tests and documentation. */
export const NAMED_ERROR_CODES = Object.keys(ERROR_CODES) as readonly NamedErrorCode[];

/** Whether a code is an errno name (a KernelError's) rather than a named one. */
export function isErrnoCode(code: string): code is ErrnoCode {
  return /^E[A-Z0-9_]+$/.test(code);
}
