// `--as MACHINE`: one machine's part of a lab spread over machines. Its state (journal, lock,
// saved copy, ownership tag) lives apart from every other part's, in `<state root>/@<machine>`,
// so two parts of one lab built on one host (as the tests simulate machines) never share it.
import { machinePart } from '../model/machine-part.js';
import type { Topology } from '../model/types.js';
import { isNodeName } from '../names/rules.js';
import type { StateRoot } from '../state/root.js';
import { NslabError } from '../util/errors.js';

/** The state root of one machine's parts of labs (a lab name has no '@', so it is no lab's directory). */
export function machineState(root: StateRoot, machine: string): StateRoot {
  if (!isNodeName(machine)) {
    throw new NslabError('bad-machine', `--as ${JSON.stringify(machine)}: a machine name is 1 to 32 of a-z 0-9 -, starting with a letter`, 2);
  }
  return { path: `${root.path === '/' ? '' : root.path}/@${machine}` };
}

/** The part of the lab `machine` builds; refused (exit 2) when the file does not declare that machine. */
export function partFor(t: Topology, machine: string): Topology {
  if (!t.machines || t.machines.size === 0) {
    throw new NslabError('bad-machine', `--as ${machine}: lab ${t.name} declares no machines: (it is built on one machine; leave --as out)`, 2);
  }
  if (!t.machines.has(machine)) {
    throw new NslabError('bad-machine', `--as ${machine}: lab ${t.name} has no machine ${machine}; its machines are ${[...t.machines.keys()].join(', ')}`, 2);
  }
  return machinePart(t, machine);
}

/** The placement of a lab spread over machines, machine by machine (for `up --dry-run`). */
export function placementLines(t: Topology): string[] {
  if (!t.machines || !t.placement) return [];
  const by = new Map([...t.machines.keys()].map((m) => [m, [] as string[]]));
  for (const [node, m] of t.placement) by.get(m)?.push(node);
  return [...by].map(([m, nodes]) => `machine ${m} (${t.machines?.get(m)?.address}): ${nodes.length} node(s): ${nodes.join(', ')}`);
}
