// `nslab run LAB NODE [--name N] -- CMD...`: start an ad-hoc long-running process in a node,
// tracked like a declared one (log file, journal record, stopped by `down`); prints name and PID.
import { runAdhoc } from '../../lab/processes.js';
import { config } from '../config.js';

/** Run `run`. */
export async function run(lab: string, node: string, argv: string[], o: { name?: string }): Promise<void> {
  // Options after LAB NODE reach us as words (passThroughOptions): take --name before the `--`.
  let rest = argv;
  let name = o.name;
  for (;;) {
    if (rest[0] === '--name' && rest.length > 1) {
      name = rest[1];
      rest = rest.slice(2);
    } else if (rest[0]?.startsWith('--name=')) {
      name = rest[0].slice('--name='.length);
      rest = rest.slice(1);
    } else {
      break;
    }
  }
  // Commander keeps the `--` that separates nslab's arguments from the command's.
  const cmd = rest[0] === '--' ? rest.slice(1) : rest;
  const r = await runAdhoc({ state: config().state, lab, node, command: cmd, ...(name === undefined ? {} : { name }) });
  process.stdout.write(`${r.name} ${r.pid ?? '?'}\n`);
}
