// What `up` and the runtime verbs share about link properties: the kernel's support decided
// once (sch_netem or not), the refusal of what it cannot do, in one line, before anything is
// built, and the lab as meant now (the file's model with the runtime changes laid over it).
import type { Topology } from '../model/types.js';
import { type RuntimeChanges, downEnds, hasChanges } from '../model/impair.js';
import { needsNetem, type ShapingSupport } from '../plan/impair.js';
import { shapeText, isEmptyShape } from '../topology/impair-units.js';
import { NslabError } from '../util/errors.js';
import type { NetemCheck } from './kernel.js';
import { linuxNetemMissing } from './kernel.js';

/** Whether any interface of the lab is shaped. */
export function isShaped(t: Topology): boolean {
  for (const n of t.nodes.values()) for (const i of n.interfaces.values()) if (!isEmptyShape(i.shape?.out) || !isEmptyShape(i.shape?.in)) return true;
  return false;
}

/**
 * The support the lab needs, asked only when it is shaped; throws (exit 1, nothing changed) when
 * it asks for delay, jitter, corrupt, duplicate or reorder and the kernel has no sch_netem.
 */
export async function shapingSupport(t: Topology, check: NetemCheck = linuxNetemMissing): Promise<ShapingSupport> {
  if (!isShaped(t)) return { netem: false };
  if ((await check()) === undefined) return { netem: true };
  for (const n of t.nodes.values()) {
    for (const i of n.interfaces.values()) {
      const what = [...needsNetem(i.shape?.out), ...needsNetem(i.shape?.in)];
      if (what.length > 0) {
        throw new NslabError(
          'missing-dependency',
          `${n.name}:${i.name}: ${[...new Set(what)].join(', ')} needs the kernel module sch_netem (CONFIG_NET_SCH_NETEM), which this kernel does not have; rate and loss work without it`,
          1,
        );
      }
    }
  }
  return { netem: false };
}

/** Lines saying which runtime changes are in force ("a:eth0 down (runtime)"), for up, show and test. */
export function runtimeNotes(c: RuntimeChanges): string[] {
  if (!hasChanges(c)) return [];
  const out: string[] = [];
  for (const e of c.down) out.push(`${e}: runtime: down`);
  for (const p of c.partitions) out.push(`partition ${p.a.join(',')} -- ${p.b.join(',')}: runtime: down ${p.cut.join(', ') || '(no link between them)'}`);
  for (const r of c.impair)
    out.push(`${r.end}: runtime: ${isEmptyShape(r.shape) ? 'not impaired' : `impaired ${shapeText(r.shape)}`}${r.egressOnly ? ' (egress only)' : ''}`);
  return out;
}

/** Runtime marks per interface, "NODE:IFACE" -> "runtime: down" / "runtime: impaired". */
export function runtimeMarks(c: RuntimeChanges): Map<string, string[]> {
  const marks = new Map<string, string[]>();
  const add = (end: string, m: string): void => {
    marks.set(end, [...(marks.get(end) ?? []), m]);
  };
  for (const e of downEnds(c)) add(e, 'runtime: down');
  for (const r of c.impair) add(r.end, 'runtime: impaired');
  return marks;
}

/** "random loss without sch_netem (node a)": the lab's loss that becomes nft rules, in preflight's words. */
export function nftLossUses(t: Topology, support: ShapingSupport): string[] {
  if (support.netem) return [];
  const nodes = [...t.nodes.values()].filter((n) =>
    [...n.interfaces.values()].some((i) => (i.shape?.out?.lossPct ?? 0) > 0 || (i.shape?.in?.lossPct ?? 0) > 0),
  );
  return nodes.length === 0 ? [] : [`random loss without sch_netem (node${nodes.length > 1 ? 's' : ''} ${nodes.map((n) => n.name).join(', ')})`];
}
