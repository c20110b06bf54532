// `nslab trace LAB FROM TO`: the request's hops and the reply's, one numbered line each, then
// where it arrived or why it stops. Exit 0 when both ways arrive, 1 when either stops, 2 for
// unknown nodes (thrown by lab/trace.ts).
import type { Hop, Leg, Probe, TraceResult } from '../../lab/trace.js';
import { config } from '../config.js';
import { trace } from '../../lab/trace.js';
import { NslabError } from '../../util/errors.js';
import { paint, printJson } from '../render.js';

/** Run `trace`. `--tcp PORT` / `--udp PORT` trace the first packet of such a flow instead of a ping. */
export async function run(lab: string, from: string, to: string, o: { json?: boolean; tcp?: string; udp?: string }): Promise<void> {
  const probe = probeOf(o);
  const r = await trace({ state: config().state, ...config().kernel, lab, from, to, ...(probe ? { probe } : {}) });
  if (o.json) printJson(r);
  else process.stdout.write(render(r) + '\n');
  process.exitCode = r.ok ? 0 : 1;
}

/** The probe the options ask for; exit 2 for a bad port or both at once. */
export function probeOf(o: { tcp?: string; udp?: string }): Probe | undefined {
  if (o.tcp !== undefined && o.udp !== undefined) throw new NslabError('usage', 'give --tcp or --udp, not both', 2);
  const kind = o.tcp !== undefined ? 'tcp' : o.udp !== undefined ? 'udp' : undefined;
  if (!kind) return undefined;
  const text = (kind === 'tcp' ? o.tcp : o.udp) ?? '';
  const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(port >= 1 && port <= 65535)) throw new NslabError('usage', `--${kind} needs a port 1-65535, not "${text}"`, 2);
  return { kind, port };
}

function render(r: TraceResult): string {
  const probe = r.probe.kind === 'icmp' ? '' : ` ${r.probe.kind} ${r.probe.port}`;
  const head = paint(`trace ${r.lab}: ${r.from} -> ${r.to}${r.to === r.dst ? '' : ` (${r.dst})`}${probe}`, 'bold');
  const out = [head, ...renderLeg(r.request)];
  if (r.reply) out.push(...renderLeg(r.reply));
  const last = r.reply ?? r.request;
  out.push(r.ok ? paint('reached both ways', 'green') : paint(`stopped at ${last.stop?.at ?? '?'}: ${last.stop?.message ?? 'unknown'}`, 'red'));
  return out.join('\n');
}

function renderLeg(leg: Leg): string[] {
  const lines = [paint(`${leg.direction} ${leg.src ?? '?'} -> ${leg.dst}`, 'dim')];
  const width = Math.max(...leg.hops.map((h) => h.at.length), 4);
  leg.hops.forEach((h, i) => lines.push(hopLine(h, i + 1, width)));
  if (leg.reached)
    lines.push(`    ${paint('reached', 'green')} ${leg.at ?? '?'} (${leg.dst} is local there${leg.arrivedOn ? `, arrived on ${leg.arrivedOn}` : ''})`);
  else if (leg.stop) lines.push(`    ${paint('stops', 'red')} at ${leg.stop.at} (${leg.stop.code})`);
  return lines;
}

/** `1  web  eth0 -> host bridge demo-lan -> r1:eth0  via route default via 10.0.1.1 (src 10.0.1.10)` */
function hopLine(h: Hop, n: number, width: number): string {
  const inDev = h.inDev ? paint(`(in ${h.inDev}) `, 'dim') : '';
  const far =
    h.next === undefined ? ` -> ${paint(`nobody holds ${h.nextHop}`, 'red')}` : h.toward.startsWith('host bridge') ? ` -> ${h.next}:${h.nextDev ?? '?'}` : '';
  const src = h.src ? ` (src ${h.src})` : '';
  const alt = h.alternatives?.length ? paint(`; other flows may take ${h.alternatives.join(', ')}`, 'dim') : '';
  const notes = h.notes?.length ? paint(` [${h.notes.join('; ')}]`, 'yellow') : '';
  return `${String(n).padStart(2)}  ${h.at.padEnd(width)}  ${inDev}${h.outDev} -> ${h.toward}${far}  via route ${h.route}${src}${alt}${notes}`;
}
