// `nslab clean [--yes]`: list what labs left behind that `down` cannot remove, and remove it once
// confirmed (a question on a terminal, --yes for scripts; without either it only lists, exit 1).
import { createInterface } from 'node:readline/promises';
import { config } from '../config.js';
import { describeLeftovers, leftoverPaths, removeLeftovers, scanLeftovers, type LabLeftovers } from '../../lab/clean.js';
import { printable } from '../../util/printable.js';
import { busy, paint, printJson } from '../render.js';

/** Run `clean`. */
export async function run(o: { yes?: boolean; json?: boolean }): Promise<void> {
  const found = await scanLeftovers({ state: config().state, ...config().kernel });
  if (found.length === 0) {
    if (o.json) printJson({ leftovers: [], removed: [] });
    else process.stdout.write('nothing to clean\n');
    return;
  }
  // Names and aliases come from the kernel: anyone may have set them.
  if (!o.json) process.stdout.write(printable(render(found), { lines: true }));
  let go = o.yes === true;
  if (!go && !o.json && process.stdin.isTTY === true) go = await confirm();
  if (!go) {
    if (o.json) printJson({ leftovers: found, removed: [] });
    process.stderr.write(`nslab: nothing removed; run \`nslab clean --yes\` to remove ${o.json ? 'these leftovers' : 'the above'}\n`);
    process.exitCode = 1;
    return;
  }
  const outcomes = await removeLeftovers(
    found.map((l) => l.lab),
    { state: config().state, ...config().kernel, onBusy: busy },
  );
  const failed = outcomes.filter((x) => x.error !== undefined);
  if (o.json) printJson({ leftovers: found, removed: outcomes });
  else {
    for (const x of outcomes) {
      if (x.error !== undefined) process.stderr.write(paint(`lab ${x.lab}: ${x.error}`, 'red') + '\n');
      else process.stdout.write(x.removed ? `lab ${x.lab}: cleaned\n` : `lab ${x.lab}: nothing left to clean (it changed meanwhile)\n`);
    }
  }
  process.exitCode = failed.length > 0 ? 1 : 0;
}

function render(found: readonly LabLeftovers[]): string {
  return found.map((l) => describeLeftovers(l, leftoverPaths(config().state, l.lab)).join('\n') + '\n').join('');
}

async function confirm(): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await rl.question('remove these? [y/N] ')).trim());
  } finally {
    rl.close();
  }
}
