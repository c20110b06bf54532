// `nslab ls`: one line per lab.
import { ls } from '../../lab/ls.js';
import { config } from '../config.js';
import { paint, printJson, table } from '../render.js';

/** Run `ls`. */
export async function run(o: { json?: boolean }): Promise<void> {
  const labs = await ls({ state: config().state, ...config().kernel });
  if (o.json) return printJson(labs);
  if (labs.length === 0) {
    process.stdout.write('no labs\n');
    return;
  }
  const color = (s: string): string => paint(s, s === 'up' ? 'green' : s === 'partial' ? 'yellow' : 'red');
  process.stdout.write(
    table(
      ['LAB', 'STATUS', 'NODES', 'NETWORKS', 'HOST', 'FILE'],
      labs.map((l) => [l.name, color(l.status), String(l.nodes), String(l.networks), l.hostNetns ?? '(root)', l.file ?? '']),
    ) + '\n',
  );
  for (const l of labs.filter((x) => x.logKeeperDead)) {
    process.stdout.write(
      paint(`lab ${l.name}: its log keeper died: its processes get SIGPIPE when they write output; run \`nslab up\` again to restart it`, 'yellow') + '\n',
    );
  }
}
