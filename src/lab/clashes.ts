// Clashes with other labs that `up` finds before it changes anything, said plainly: a node's
// namespace name that another live lab's namespace already has (never "ip netns delete" it: it is
// that lab's), and a `netns_of` process whose namespace is already a node (of another lab, or of
// this one) under another name; adopting it would fail several kernel steps in. Read-only.
import type { System } from '../port/system.js';
import type { Topology } from '../model/types.js';
import { netnsGroup, parseGroup } from '../names/markers.js';
import { resourceId } from '../names/resource-id.js';
import { NslabError } from '../util/errors.js';

/**
 * Throw (exit 1) on the first clash; `owned`: the journal's ids (netns:NAME, attach:NAME);
 * `listed`: the names under /run/netns (up lists them once, for this check and its others).
 */
export function checkClashes(sys: System, t: Topology, owned: { has(id: string): boolean }, listed: readonly string[]): void {
  const present = new Set(listed);
  for (const n of t.nodes.values()) {
    if (n.netnsOf !== undefined || !present.has(n.netns) || owned.has(resourceId.netns(n.netns))) continue;
    const group = sys.host.netnsGroupOf(n.netns);
    if (group !== undefined && group !== netnsGroup(t.name, t.owner)) {
      const other = labOfGroupName(group);
      throw new NslabError(
        'conflict',
        `lab ${t.name} cannot be built: network namespace ${n.netns} (node ${n.name}) belongs to lab ${other}, which is up; take it down first (\`nslab down ${other}\`) or rename this lab; nothing was changed`,
        1,
      );
    }
  }
  let named: Map<string, number> | undefined;
  for (const n of t.nodes.values()) {
    if (n.netnsOf === undefined || owned.has(resourceId.attach(n.netns))) continue;
    const inode = sys.proc.netnsOfPid(n.netnsOf);
    if (inode === undefined) continue; // no such process: checkAdopted says so
    named ??= sys.proc.namedNetns();
    const other = [...named].find(([name, ino]) => ino === inode && name !== n.netns)?.[0];
    if (other === undefined) continue;
    throw new NslabError(
      'conflict',
      `lab ${t.name} cannot be built: node ${n.name}: netns_of: ${n.netnsOf}: that process's network namespace is already ${whose(sys, t, other)}; a namespace can be one node only (address that node instead); nothing was changed`,
      1,
    );
  }
}

/** Who has a namespace name: a node of another lab, of this lab, or a plain named one. */
function whose(sys: System, t: Topology, name: string): string {
  const group = sys.host.netnsGroupOf(name);
  const lab = group === undefined ? undefined : labOfGroupName(group);
  const mine = [...t.nodes.values()].find((x) => x.netns === name);
  if (mine) return `node ${mine.name} of this lab (${name})`;
  if (lab !== undefined) {
    const node = name.startsWith(`${lab}-`) ? name.slice(lab.length + 1) : name;
    return `node ${node} of lab ${lab} (${name}; \`nslab down ${lab}\` releases it)`;
  }
  return `named ${name} (\`ip netns\`)`;
}

/** The lab a group directory is of (`<lab>` or `<lab>@<tag>` of another state root); the name itself if it is neither. */
function labOfGroupName(group: string): string {
  return parseGroup(group)?.lab ?? group;
}
