// `nslab show LAB [NODE]`: tables per node (interfaces, routes, neighbours) and per network.
import type { Shown, ShownNode, ShownRoute } from '../../lab/show.js';
import { config } from '../config.js';
import { machineState } from '../../lab/machine.js';
import { show } from '../../lab/show.js';
import { printable } from '../../util/printable.js';
import { paint, printJson, table } from '../render.js';

/** Run `show`. */
export async function run(lab: string, node: string | undefined, o: { json?: boolean; as?: string }): Promise<void> {
  const state = o.as === undefined ? config().state : machineState(config().state, o.as);
  const s = await show({ state, ...config().kernel, lab, ...(node === undefined ? {} : { node }), ...(o.as === undefined ? {} : { machine: o.as }) });
  if (o.json) return printJson(s);
  process.stdout.write(render(s) + '\n');
}

function render(s: Shown): string {
  const out: string[] = [paint(`lab ${s.lab}`, 'bold') + (s.hostNetns ? ` (host: netns ${s.hostNetns})` : '')];
  for (const n of s.nodes) out.push('', ...renderNode(n));
  if (s.networks.length > 0) {
    out.push(
      '',
      paint('networks', 'bold'),
      table(
        ['NETWORK', 'BRIDGE', 'STATE', 'GATEWAY', 'PORTS'],
        s.networks.map((n) => [n.name, n.bridge, n.state, n.gateways.join(' ') || '-', printable(n.ports.join(' ')) || '-']),
      ),
    );
  }
  if (s.machines) {
    out.push(
      '',
      paint(`machines (this one: ${s.machine})`, 'bold'),
      table(
        ['MACHINE', 'ADDRESS', 'NODES'],
        s.machines.map((m) => [m.name, m.address, m.nodes.join(' ') || '-']),
      ),
    );
  }
  if (s.tunnels && s.tunnels.length > 0) {
    out.push(
      '',
      paint('tunnels (vxlan to the other machines)', 'bold'),
      table(
        ['NETWORK', 'DEVICE', 'VNI', 'REMOTES', 'STATE', 'MTU'],
        s.tunnels.map((x) => [x.network, x.device, String(x.vni), x.remotes.join(' '), x.state, x.mtu === undefined ? '-' : String(x.mtu)]),
      ),
    );
  }
  if (s.hostRules) out.push('', paint('host rules (NAT, published ports)', 'bold'), printable(s.hostRules.trimEnd(), { lines: true }));
  return out.join('\n');
}

/**
 * The routes table: one row per route, and one per next hop of a multipath route (the first on
 * the route's row, the others below it), each with its place in the list and its weight.
 */
export function renderRoutes(routes: readonly ShownRoute[]): string {
  const rows = routes.flatMap((r) => {
    const to = r.to === '0.0.0.0/0' || r.to === '::/0' ? `default (${r.to})` : r.to;
    const metric = r.metric === undefined ? '-' : String(r.metric);
    if (!r.nexthops) return [[to, r.via ?? '-', printable(r.dev ?? '-'), r.protocol, metric, r.linkdown ? 'linkdown' : '-']];
    const all = r.nexthops.length;
    return r.nexthops.map((h, i) => {
      const note = `${i + 1}/${all} weight ${h.weight ?? 1}${h.linkdown ? ' linkdown' : ''}`;
      const hop = [h.via ?? '-', printable(h.dev ?? '-')];
      return i === 0 ? [to, ...hop, r.protocol, metric, note] : ['', ...hop, '', '', note];
    });
  });
  return table(['ROUTE', 'VIA', 'DEV', 'PROTO', 'METRIC', 'NEXTHOP'], rows);
}

/** "out rate 10mbit, in rate 10mbit loss 20% (runtime: impaired)", or "-". */
function linkText(i: ShownNode['interfaces'][number]): string {
  const parts = [i.shaping?.out ? `out ${i.shaping.out}` : '', i.shaping?.in ? `in ${i.shaping.in}` : ''].filter(Boolean);
  const marks = i.runtime?.length ? `(${i.runtime.join(', ')})` : '';
  return [parts.join(', '), marks].filter(Boolean).join(' ') || '-';
}

function renderNode(n: ShownNode): string[] {
  const head = paint(`node ${n.name}`, 'bold') + paint(`  (netns ${n.netns})`, 'dim');
  if (!n.present) return [head, paint('  namespace missing', 'red')];
  const ifs = table(
    ['IFACE', 'STATE', 'ADDRESSES', 'MAC', 'TO', 'LINK', 'RX pkts/bytes/drop', 'TX pkts/bytes/drop'],
    n.interfaces.map((i) => [
      // Names come from the kernel, where anything in the namespace may have named an interface.
      printable(i.name),
      i.up ? i.state : 'DOWN',
      i.addresses.join(' ') || '-',
      i.mac,
      printable(i.to ?? '-'),
      linkText(i),
      i.stats ? `${i.stats.rxPackets}/${i.stats.rxBytes}/${i.stats.rxDropped}` : '-',
      i.stats ? `${i.stats.txPackets}/${i.stats.txBytes}/${i.stats.txDropped}` : '-',
    ]),
  );
  const routes = renderRoutes(n.routes);
  const neigh =
    n.neighbours.length === 0
      ? ['  (no neighbours)']
      : [
          table(
            ['NEIGHBOUR', 'MAC', 'DEV', 'STATE'],
            n.neighbours.map((x) => [x.address, x.mac ?? '-', printable(x.dev), x.state]),
          ),
        ];
  const rules = n.rules ? [paint('firewall (nft list table inet ...)', 'dim'), printable(n.rules.trimEnd(), { lines: true })] : [];
  return [head, ifs, routes, ...neigh, ...rules];
}
