// The command line: argv -> a lab/ verb -> text or JSON -> exit status (the table in
// util/errors.ts: 0 ok, 1 failed, 2 bad input). Verbs are imported lazily so `nslab --help` stays
// fast. Errors a user can act on are printed as one `nslab: ...` line; anything else is a bug and
// is printed with its stack. A reader closing our output early only ends the output (stdio.ts).
import { existsSync, readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { NslabError, isNslabError } from '../util/errors.js';
import { printable } from '../util/printable.js';
import { closest } from '../util/suggest.js';
import { epilog, exampleHelp } from './examples.js';
import { config } from './config.js';
import { guardStdio } from './stdio.js';

/** The package version, from the package.json above this module (dist/cli, dist/bundle or dist-test/src/cli). */
export function version(): string {
  for (let up = '../../'; up.length <= 12; up += '../') {
    const url = new URL(`${up}package.json`, import.meta.url);
    if (existsSync(url)) return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
  }
  return 'unknown';
}

/** The program: every verb with its flags, help text and example. */
export function program(): Command {
  const p = new Command('nslab')
    .description('Isolated virtual networks on one Linux host, from one YAML file.')
    .version(version(), '-V, --version', 'print the version')
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(oneLine(text)) })
    .showHelpAfterError('(run `nslab --help` for usage)')
    .addHelpText('after', epilog())
    // Handled before parsing (rootless() below); declared so --help lists it.
    .option('--rootless', 'run in a user namespace of your own even as root (automatic without root; see `nslab doctor`)');
  // A verb that needs root says so before it starts (lab/privilege.ts).
  p.hook('preAction', async (_p, action) => (await import('../lab/privilege.js')).requirePrivileges(action.name()));
  p.command('up')
    .description('build the lab (idempotent: a second up changes nothing)')
    .argument('<file>', 'topology file')
    .option('--host-netns <ns>', 'an existing named namespace plays the host (bridges, host ends, gateways)')
    .option('-n, --dry-run', 'print the steps as iproute2 commands, change nothing')
    .option('--full', 'read every namespace, also those unchanged since the last complete up (repairs changes made by hand inside them)')
    .option('--reset', 'drop the runtime changes (link, impair, partition): back to what the file says')
    .option('--json', 'machine-readable result')
    .option('-w, --watch', 'then keep watching the file: apply each saved change as a diff and print what changed (Ctrl-C stops watching, the lab stays up)')
    .option('--as <machine>', "build only this machine's part of a lab spread over machines (its nodes, and tunnels to the others)")
    .action(
      async (file: string, o: { hostNetns?: string; dryRun?: boolean; full?: boolean; reset?: boolean; json?: boolean; watch?: boolean; as?: string }) => {
        if (o.watch && o.as !== undefined)
          throw new NslabError('usage', '--watch does not take --as yet: run `nslab up FILE --as MACHINE` after each change', 2);
        await (await import('./commands/up.js')).run(file, o);
        if (o.watch && !o.dryRun) await (await import('./commands/up-watch.js')).run(file, o);
      },
    );
  p.command('down')
    .description('remove exactly what the lab created')
    .argument('<lab>', 'lab name or topology file')
    .option('--json', 'machine-readable result')
    .option('--wait', 'return only when the kernel has removed everything (big labs otherwise finish their bridges in the background)')
    .option('--force', 'take the lab down even when one of its namespaces is the --host-netns of another lab (that lab loses its bridges and host ends)')
    .option('--as <machine>', "remove only this machine's part of a lab spread over machines")
    .action(async (target: string, o: { json?: boolean; wait?: boolean; force?: boolean; as?: string }) => (await import('./commands/down.js')).run(target, o));
  p.command('clean')
    .description('find and remove what labs left behind that down cannot (lost or damaged state); only objects nslab marked as its own')
    .option('-y, --yes', 'remove without asking (for scripts)')
    .option('--json', 'machine-readable output')
    .action(async (o: { yes?: boolean; json?: boolean }) => (await import('./commands/clean.js')).run(o));
  p.command('link')
    .description('cut a link now (down: this end set down, the far end loses carrier) or restore it (up)')
    .argument('<lab>')
    .argument('<end>', 'NODE:IFACE')
    .argument('<state>', 'down or up')
    .option('--json', 'machine-readable result')
    .action(async (lab: string, end: string, state: string, o: { json?: boolean }) => (await import('./commands/runtime.js')).runLink(lab, end, state, o));
  p.command('impair')
    .description("shape a link now, both directions (or this end's egress only); --clear returns to the file")
    .argument('<lab>')
    .argument('<end>', 'NODE:IFACE')
    .option('--rate <rate>', 'bandwidth, such as 10mbit')
    .option('--delay <time>', 'added delay, such as 20ms (needs sch_netem)')
    .option('--jitter <time>', 'delay variation, such as 5ms (needs sch_netem)')
    .option('--loss <pct>', 'random loss, such as 5%')
    .option('--corrupt <pct>', 'corrupted packets, such as 1% (needs sch_netem)')
    .option('--duplicate <pct>', 'duplicated packets, such as 1% (needs sch_netem)')
    .option('--reorder <pct>', 'reordered packets, such as 25% (needs --delay and sch_netem)')
    .option('--limit <packets>', 'queue length in packets')
    .option('--egress-only', 'only what this end sends')
    .option('--clear', "back to the file's properties for this link")
    .option('--json', 'machine-readable result')
    .action(async (lab: string, end: string, o: Record<string, string | boolean | undefined>) =>
      (await import('./commands/runtime.js')).runImpair(lab, end, o as never),
    );
  p.command('partition')
    .description('cut every link between two groups of nodes (undo with heal)')
    .usage('<lab> <group-a> -- <group-b>')
    .argument('<lab>')
    .argument('<groups...>', 'node names, comma- or space-separated, the groups split by --')
    .option('--json', 'machine-readable result')
    .action(async (lab: string, groups: string[], o: { json?: boolean }) => (await import('./commands/runtime.js')).runPartition(lab, groups, o));
  p.command('heal')
    .description('undo every partition of a lab')
    .argument('<lab>')
    .option('--json', 'machine-readable result')
    .action(async (lab: string, o: { json?: boolean }) => (await import('./commands/runtime.js')).runHeal(lab, o));
  p.command('ls')
    .description('labs on this host')
    .option('--json', 'machine-readable output')
    .action(async (o: { json?: boolean }) => (await import('./commands/ls.js')).run(o));
  p.command('show')
    .description('nodes, interfaces, addresses, routes, neighbours; networks and bridge ports')
    .argument('<lab>')
    .argument('[node]')
    .option('--json', 'machine-readable output')
    .option('--as <machine>', "one machine's part of a lab spread over machines: its nodes, every machine's nodes and its tunnels")
    .action(async (lab: string, node: string | undefined, o: { json?: boolean; as?: string }) => (await import('./commands/show.js')).run(lab, node, o));
  p.command('exec')
    .description('run a command inside a node (no shell unless you run one)')
    .usage('<lab> <node> -- <command> [args...]')
    .argument('<lab>')
    .argument('<node>')
    .argument('<command...>')
    .passThroughOptions()
    .action(async (lab: string, node: string, argv: string[]) => (await import('./commands/exec.js')).run(lab, node, argv));
  p.command('run')
    .description('start a long-running process in a node, tracked like declared ones (stopped by down)')
    .usage('<lab> <node> [--name <name>] -- <command> [args...]')
    .argument('<lab>')
    .argument('<node>')
    .argument('<command...>')
    .option('--name <name>', "process name (default: the command's base name)")
    .passThroughOptions()
    .action(async (lab: string, node: string, argv: string[], o: { name?: string }) => (await import('./commands/run.js')).run(lab, node, argv, o));
  p.command('test')
    .description('check every expect: entry (or, with --all, every pair of nodes); exit 1 if any fails')
    .argument('<lab>', 'lab name or topology file')
    .option('-a, --all', "probe every ordered pair of nodes (like Mininet's pingall), and the addresses found live on them")
    .option('-g, --gateways', "probe from every node to its networks' gateways (a quick check of a big lab)")
    .option('--json', 'machine-readable result')
    .option('--raise-neigh-limit', 'raise net.ipv4.neigh.default.gc_thresh3 for the run instead of probing in waves')
    .option('--timeout <ms>', 'per probe attempt (default 1000)')
    .option('--attempts <n>', 'attempts before a probe counts as failed (default 3)')
    .option(
      '--wait <duration>',
      "wait up to DURATION (e.g. 30s) for every entry to hold, re-probing the ones that do not yet (an entry's within: when shorter)",
    )
    .option('--as <machine>', "probe only from the nodes this machine's part of a lab spread over machines built (to every target, on any machine)")
    .action(
      async (
        target: string,
        o: { all?: boolean; gateways?: boolean; json?: boolean; raiseNeighLimit?: boolean; timeout?: string; attempts?: string; wait?: string; as?: string },
      ) => (await import('./commands/test.js')).run(target, o),
    );
  p.command('merge')
    .description('merge the JSON reports of `nslab test --as MACHINE --json`, one per machine of a lab, into one; exit 1 if any row fails')
    .argument('<reports...>', 'report files (a report without a machine field is named by its file name)')
    .option('--json', 'machine-readable merged report')
    .action(async (reports: string[], o: { json?: boolean }) => (await import('./commands/merge.js')).run(reports, o));
  p.command('scenario')
    .description('run a timeline of faults (link down/up, impair, partition, processes) against a lab while probing flows; outages, recovery times, limits')
    .argument('<file>', 'scenario file')
    .option('--json', 'machine-readable result')
    .option('--interval <d>', "time between probes, e.g. 50ms (default: the file's interval:, else 100ms)")
    .action(async (file: string, o: { json?: boolean; interval?: string }) => (await import('./commands/scenario.js')).run(file, o));
  p.command('trace')
    .description('the path a packet takes from a node to a target and back, hop by hop, and where it stops')
    .argument('<lab>')
    .argument('<from>', 'source node')
    .argument('<to>', 'node, node:iface or address')
    .option('--json', 'machine-readable result')
    .option('--tcp <port>', 'trace a TCP connection to PORT (firewall rules by port) instead of a ping')
    .option('--udp <port>', 'trace a UDP datagram to PORT instead of a ping')
    .action(async (lab: string, from: string, to: string, o: { json?: boolean; tcp?: string; udp?: string }) =>
      (await import('./commands/trace.js')).run(lab, from, to, o),
    );
  p.command('ps')
    .description('processes in each node of a lab (all labs when no name), like ps aux')
    .argument('[lab]')
    .option('--json', 'machine-readable output')
    .action(async (lab: string | undefined, o: { json?: boolean }) => (await import('./commands/ps.js')).run(lab, o));
  p.command('which')
    .description('the lab and node a process lives in')
    .argument('<pid>')
    .option('--json', 'machine-readable output')
    .action(async (pid: string, o: { json?: boolean }) => (await import('./commands/which.js')).run(pid, o));
  p.command('logs')
    .description("output of a node's processes (all, or one); -f keeps following until Ctrl-C")
    .argument('<lab>')
    .argument('<node>')
    .argument('[process]')
    .option('-f, --follow', 'keep printing what the processes write')
    .action(async (lab: string, node: string, proc: string | undefined, o: { follow?: boolean }) =>
      (await import('./commands/logs.js')).run(lab, node, proc, o),
    );
  p.command('ui')
    .description('the labs as a live picture in the browser (127.0.0.1 only; prints a URL with a token)')
    .argument('[lab]', 'show this lab only')
    .option('-p, --port <port>', 'port on 127.0.0.1 (default 8470, or a free one if taken; 0: any free port)')
    .action(async (lab: string | undefined, o: { port?: string }) => (await import('./commands/ui.js')).run(lab, o));
  p.command('graph')
    .description('draw a topology file as SVG, Mermaid or DOT, without building it')
    .argument('<file>', 'topology file')
    .option('-f, --format <format>', 'svg, mermaid or dot', 'svg')
    .option('-o, --output <file>', 'write to FILE instead of standard output')
    .action(async (file: string, o: { format: string; output?: string }) => (await import('./commands/graph.js')).run(file, o));
  p.command('capture')
    .description('packets at nodes, interfaces or networks of a lab, with its names; live, or to a pcapng file')
    .argument('<lab>')
    .argument('<targets...>', 'node (all its interfaces), node:iface, or network (its bridge)')
    .option('-w, --write <file>', 'write pcapng (one named interface per target; - for stdout) instead of printing')
    .option('--print', 'print lines too when writing a file')
    .option('-f, --filter <expr>', 'pcap-filter expression, as for tcpdump (e.g. "arp or icmp")')
    .option('-c, --count <n>', 'stop after N packets')
    .option('--duration <s>', 'stop after S seconds')
    .option('--utc', 'times in UTC')
    .action(async (lab: string, targets: string[], o: { write?: string; print?: boolean; filter?: string; count?: string; duration?: string; utc?: boolean }) =>
      (await import('./commands/capture.js')).run(lab, targets, o),
    );
  p.command('doctor')
    .description('whether this machine lets you build labs (root, or rootless: user namespaces allowed?) and how to enable what is missing')
    .option('--json', 'machine-readable output')
    .action(async (o: { json?: boolean }) => (await import('./commands/doctor.js')).run(o));
  p.command('validate')
    .description('check a topology file and print every problem (FILE:LINE:COL: message)')
    .argument('<file>')
    .action(async (file: string) => (await import('./commands/validate.js')).run(file));
  p.command('completion')
    .description('print a shell completion script (bash, zsh or fish)')
    .argument('<shell>', 'bash, zsh or fish')
    .action(async (shell: string) => (await import('./commands/completion.js')).run(shell, p));
  // For the completion scripts only: names of labs and nodes, one per line, never an error.
  p.command('__complete', { hidden: true })
    .argument('[what]')
    .argument('[lab]')
    .action(async (what: string | undefined, lab: string | undefined) => (await import('./commands/complete.js')).run(what, lab));
  for (const c of p.commands) {
    const text = exampleHelp(c.name());
    if (text) c.addHelpText('after', text);
  }
  return p;
}

/** Run the CLI with argv (without node and script); sets process.exitCode. */
export async function main(argv: string[]): Promise<void> {
  guardStdio();
  // Read once, here (cli/config.ts): the state root made absolute, so every message names the
  // same one; down hands it to its background finisher explicitly.
  config();
  try {
    if (await (await import('./rootless-entry.js')).dispatchRootless(argv)) return;
    const p = program();
    unknownVerb(p, argv);
    await p.parseAsync(argv, { from: 'user' });
  } catch (e) {
    process.exitCode = report(await asPermissionError(e, argv[0]));
  }
}

/**
 * Refuse an unknown verb, also after `help`, with the closest verb: commander would print all of
 * the help for `nslab help upp`, and word its own suggestion on a second line.
 */
function unknownVerb(p: Command, argv: readonly string[]): void {
  const verbs = p.commands.map((c) => c.name()).filter((n) => !n.startsWith('__'));
  const known = new Set([...verbs, '__complete', 'help']);
  const word = argv[0] === 'help' ? argv[1] : argv[0];
  if (word === undefined || word.startsWith('-') || known.has(word)) return;
  const guess = closest(word, [...verbs, 'help']);
  throw new NslabError('usage', `unknown command '${word}' (${guess === undefined ? 'run `nslab --help` for the commands' : `did you mean '${guess}'?`})`, 2);
}

/** Commander's `error: X` and `(Did you mean Y?)` as nslab's one-line `nslab: X (did you mean 'Y'?)`. */
export function oneLine(text: string): string {
  return text.replace(/^error: /, 'nslab: ').replace(/\n\(Did you mean (\S+)\?\)/, " (did you mean '$1'?)");
}

/** A permission error (EACCES/EPERM) that got through becomes one line, not a stack trace. */
async function asPermissionError(e: unknown, verb: string | undefined): Promise<unknown> {
  if (isNslabError(e) || e instanceof CommanderError) return e;
  return (await import('../lab/privilege.js')).privilegeError(config().state, e, verb) ?? e;
}

function report(e: unknown): number {
  if (e instanceof CommanderError) {
    return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.exitCode === 0 ? 0 : 2;
  }
  if (isNslabError(e)) {
    // Messages may quote a process's log tail or a kernel name: never raw to the terminal.
    process.stderr.write(`nslab: ${printable(e.message, { lines: true })}\n`);
    return e.exitStatus;
  }
  const stack = e instanceof Error ? (e.stack ?? e.message) : String(e);
  process.stderr.write(`nslab: internal error (this is a bug in nslab, please report it):\n${stack}\n`);
  return 70;
}
