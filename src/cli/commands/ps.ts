// `nslab ps [LAB]`: the processes in each node of a lab (or of every lab), one `ps aux`-style
// table per node under a "lab/node (netns X)" heading; --json prints the same data.
import type { ProcInfo, PsNode, PsResult } from '../../lab/ps.js';
import { config } from '../config.js';
import { ps } from '../../lab/ps.js';
import { printable } from '../../util/printable.js';
import { paint, printJson, table } from '../render.js';

/** Run `ps`. */
export async function run(lab: string | undefined, o: { json?: boolean }): Promise<void> {
  const r = await ps({ state: config().state, ...(lab === undefined ? {} : { lab }) });
  if (o.json) return printJson(r);
  // Rootless, every other user's process is unreadable, and none of them can be inside the user's
  // own namespaces (entering them takes capabilities over the user's user namespace, which only
  // the user and root have): the count would only be noise.
  process.stdout.write(render(r, config().rootlessMode !== 'inside') + '\n');
}

function render(r: PsResult, countUnreadable: boolean): string {
  const out: string[] = [];
  for (const l of r.labs) {
    if (l.nodes.length === 0) out.push(paint(`lab ${l.lab}: no nodes`, 'dim'));
    for (const n of l.nodes) out.push(...(out.length > 0 ? [''] : []), ...renderNode(l.lab, n));
    if (l.logKeeper?.state === 'running') out.push('', paint(`lab ${l.lab}: log keeper PID ${l.logKeeper.pid} (host namespace)`, 'dim'));
    if (l.logKeeper?.state === 'dead')
      out.push('', paint(`lab ${l.lab}: log keeper PID ${l.logKeeper.pid} is gone: processes that write output get SIGPIPE; run \`nslab up\` again`, 'red'));
  }
  if (out.length === 0) out.push('no labs');
  if (countUnreadable && r.unreadable > 0)
    out.push(
      '',
      paint(`${r.unreadable} ${r.unreadable === 1 ? 'process' : 'processes'} could not be inspected (not allowed to read /proc/PID/ns/net)`, 'yellow'),
    );
  return out.join('\n');
}

function renderNode(lab: string, n: PsNode): string[] {
  const head = paint(`${lab}/${n.name}`, 'bold') + paint(`  (netns ${n.netns}${n.inode === undefined ? '' : `, net:[${n.inode}]`})`, 'dim');
  if (!n.present) return [head, paint('  namespace missing', 'red')];
  if (n.processes.length === 0) return [head, paint('  (no processes)', 'dim')];
  return [head, table(['USER', 'PID', '%CPU', 'RSS', 'STAT', 'START', 'TIME', 'COMMAND'], n.processes.map(row))];
}

function row(p: ProcInfo): string[] {
  // The command line is whatever the process set (it may rewrite its own argv): never raw.
  return [
    printable(p.user),
    String(p.pid),
    p.cpuPercent.toFixed(1),
    String(p.rssKb),
    p.stat,
    startColumn(p.startedAt),
    cpuTime(p.cpuSeconds),
    printable(p.command),
  ];
}

/** ps's START: the time of day when started today, else the month and day. */
function startColumn(ms: number, now = new Date()): string {
  const d = new Date(ms);
  const pad = (x: number): string => String(x).padStart(2, '0');
  if (d.toDateString() === now.toDateString()) return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  return `${d.toLocaleString('en-US', { month: 'short' })}${pad(d.getDate())}`;
}

/** ps's TIME: cumulative CPU time as M:SS. */
function cpuTime(seconds: number): string {
  const s = Math.floor(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
