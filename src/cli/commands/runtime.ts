// `nslab link`, `impair`, `partition`, `heal`: change a running lab's links now; the change is
// kept in the lab's state (show and test mark it) until `up --reset` or `down`.
import { heal, impair, linkState, partition, type RuntimeResult, type ShapeFlags, shapeFromFlags } from '../../lab/runtime.js';
import { NslabError } from '../../util/errors.js';
import { config } from '../config.js';
import { busy, printJson } from '../render.js';

function base(lab: string) {
  return { state: config().state, ...config().kernel, lab, onBusy: busy };
}

function report(r: RuntimeResult, json: boolean | undefined, what: string): void {
  if (json) {
    printJson(r);
    return;
  }
  process.stdout.write(`lab ${r.lab}: ${what}${r.commands.length === 0 ? ' (already so; nothing changed)' : `, ${r.commands.length} change(s)`}\n`);
  for (const n of r.notes) process.stdout.write(`  ${n}\n`);
}

/** `nslab link LAB NODE:IFACE down|up`. */
export async function runLink(lab: string, end: string, state: string, o: { json?: boolean }): Promise<void> {
  if (state !== 'up' && state !== 'down') throw new NslabError('usage', `link state must be up or down, not "${state}"`, 2);
  const r = await linkState({ ...base(lab), end, up: state === 'up' });
  report(r, o.json, `${end} ${state}`);
}

/** `nslab impair LAB NODE:IFACE [--rate R] ... [--egress-only] | --clear`. */
export async function runImpair(lab: string, end: string, o: ShapeFlags & { clear?: boolean; egressOnly?: boolean; json?: boolean }): Promise<void> {
  const { clear, egressOnly, json, ...flags } = o;
  const given = Object.values(flags).some((v) => v !== undefined);
  if (clear && (given || egressOnly)) throw new NslabError('usage', 'give --clear alone, or the properties to put in force', 2);
  const shape = clear ? {} : shapeFromFlags(flags);
  const r = await impair({ ...base(lab), end, shape, ...(clear ? { clear: true } : {}), ...(egressOnly ? { egressOnly: true } : {}) });
  report(r, json, clear ? `${end} back to the file's properties` : `${end} impaired`);
}

/** `nslab partition LAB GROUP_A -- GROUP_B` (groups: node names separated by commas or spaces). */
export async function runPartition(lab: string, groups: string[], o: { json?: boolean }, argv: readonly string[] = process.argv): Promise<void> {
  const [a, b] = splitGroups(groups, argv);
  const r = await partition({ ...base(lab), a, b });
  report(r, o.json, `partitioned ${a.join(',')} from ${b.join(',')}`);
}

/**
 * The two groups: the words before and after `--` on the command line (commander drops the
 * `--` itself), or exactly two words (each a comma-separated group).
 */
export function splitGroups(groups: readonly string[], argv: readonly string[]): [string[], string[]] {
  const at = argv.lastIndexOf('--');
  const after = at < 0 ? [] : argv.slice(at + 1);
  if (after.length > 0 && after.length < groups.length) {
    return [groups.slice(0, groups.length - after.length), [...after]];
  }
  if (groups.length === 2) return [[groups[0]!], [groups[1]!]];
  throw new NslabError('usage', 'partition needs two groups of nodes: nslab partition LAB A1,A2 -- B1,B2', 2);
}

/** `nslab heal LAB`. */
export async function runHeal(lab: string, o: { json?: boolean }): Promise<void> {
  const r = await heal(base(lab));
  report(r, o.json, 'healed every partition');
}
