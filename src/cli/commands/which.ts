// `nslab which PID`: the lab and node a process lives in (exit 1 when it is in none, 2 when the
// PID is not a number).
import { parsePid, which } from '../../lab/ps.js';
import { config } from '../config.js';
import { printable } from '../../util/printable.js';
import { printJson } from '../render.js';

/** Run `which`. */
export async function run(pid: string, o: { json?: boolean }): Promise<void> {
  const found = await which({ state: config().state, pid: parsePid(pid) });
  if (o.json) return printJson(found);
  const cmd = found.command === undefined ? '' : ` (${printable(found.command)})`;
  process.stdout.write(`process ${found.pid}${cmd} is in lab ${found.lab}, node ${found.node} (netns ${found.netns})\n`);
}
