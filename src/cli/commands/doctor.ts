// `nslab doctor`: can this machine build labs for this user, and how to enable what is missing.
import { doctor, linuxView } from '../../lab/doctor.js';
import { hasAdminCaps } from '../../lab/privilege.js';
import { paint, printJson } from '../render.js';

const MARK = { ok: ['ok', 'green'], fail: ['FAIL', 'red'], warn: ['warn', 'yellow'], info: ['info', 'dim'] } as const;

/** Run `doctor`; exit 1 when this user cannot build labs here. */
export async function run(o: { json?: boolean }): Promise<void> {
  const root = hasAdminCaps();
  const r = doctor(linuxView(root));
  if (!root && !r.rootless) process.exitCode = 1;
  if (o.json) return printJson(r);
  for (const c of r.checks) {
    const [word, color] = MARK[c.status];
    process.stdout.write(`${paint(word.padEnd(4), color)}  ${c.name}: ${c.detail}${c.fix ? ` (to fix: ${c.fix})` : ''}\n`);
  }
  process.stdout.write(r.rootless ? 'rootless mode: available\n' : 'rootless mode: not available on this machine (see the FAIL lines)\n');
}
