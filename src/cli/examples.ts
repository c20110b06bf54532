// One example per verb, printed at the end of `nslab VERB --help`. They use the bundled
// examples/ (run from the repository) and build on each other as a session would: up the
// bridge lab, look at it, run things in it, take it down. test/e2e/cli-conventions.test.ts runs
// them all in a sandbox, so an example that stops working fails a test.
import { EXIT_STATUSES } from '../util/errors.js';

/** Example command lines per verb (each may end in a `# comment`). */
export const EXAMPLES: Readonly<Record<string, readonly string[]>> = {
  up: ['nslab up examples/bridge.yaml', 'nslab up examples/bridge.yaml --dry-run   # the plan as ip commands'],
  show: ['nslab show bridge ns1'],
  exec: ['nslab exec bridge ns1 -- ip addr'],
  test: ['nslab test bridge', 'nslab test bridge --all'],
  merge: ['nslab merge examples/reports/node-a.json examples/reports/node-b.json   # one report from each machine of a lab (nslab test --as M --json)'],
  trace: ['nslab trace bridge ns1 ns2'],
  scenario: ['nslab scenario examples/scenarios/bridge-flap.yaml   # ns1 cut off for a second: the outage, measured'],
  link: ['nslab link bridge ns1:veth1 down   # cut: ns1 set down, the bridge port loses carrier', 'nslab link bridge ns1:veth1 up'],
  impair: ['nslab impair bridge ns1:veth1 --rate 10mbit --loss 1%', 'nslab impair bridge ns1:veth1 --clear   # back to the file'],
  partition: ['nslab partition bridge ns1 -- ns2'],
  heal: ['nslab heal bridge'],
  run: ["nslab run bridge ns2 --name tick -- sh -c 'while sleep 1; do date; done'"],
  logs: ['nslab logs containers c1 httpd'],
  ps: ['nslab ps bridge'],
  which: ['nslab which 4242   # a PID from nslab ps or nslab run'],
  capture: ['nslab capture bridge ns1 br0 -f icmp -c 4'],
  ui: ['nslab ui bridge'],
  ls: ['nslab ls'],
  down: ['nslab down bridge'],
  clean: ['nslab clean --yes'],
  graph: ['nslab graph examples/nat.yaml --format mermaid'],
  validate: ['nslab validate examples/bridge.yaml'],
  doctor: ['nslab doctor   # can you build labs here: as root, or rootless (user namespaces allowed?)'],
  completion: ['source <(nslab completion bash)   # in ~/.bashrc; zsh: after compinit; fish: nslab completion fish | source'],
};

/** The text after a verb's help (commander adds the final newline). */
export function exampleHelp(verb: string): string | undefined {
  const lines = EXAMPLES[verb];
  return lines && `\nExample${lines.length > 1 ? 's' : ''}:\n${lines.map((l) => `  ${l}`).join('\n')}`;
}

/** The text after `nslab --help`: exit statuses, environment, where to start. */
export function epilog(): string {
  const statuses = EXIT_STATUSES.map(([s, m]) => `  ${String(s).padEnd(4)}${m}`).join('\n');
  return `
Exit status:
${statuses}

Environment:
  NSLAB_STATE_DIR  where lab state lives (default /run/nslab)
  NO_COLOR         set (non-empty): no colour; FORCE_COLOR wins over it (as in Node)
  FORCE_COLOR      set (non-empty): colour even when not on a terminal; 0 or false: no colour

Example:
  nslab up examples/bridge.yaml && nslab exec bridge ns1 -- ip addr && nslab down bridge
Run \`nslab VERB --help\` for a verb's flags and an example.`;
}
