// PURE: random loss as nft rules, for kernels without sch_netem (the emulator qdisc). Each rule
// drops a packet when `numgen random mod 10000` is below the percentage in hundredths, so a loss
// of 20% drops each packet with probability exactly 2000/10000, independently. The rules live in
// the node's own table (`inet nslab-<lab>`), beside its firewall:
//   what the node's interface sends: chain loss-out, hook postrouting, matched by oifname;
//   what it receives (the far end's egress on a network or host link): chain loss-in-<iface>,
//     hook ingress on that device (inet ingress, Linux 5.10+).
// They go into the node's table through renderNodeTable's `extra` chains (nft/render.ts); when
// the loss is dropped, the table's refill leaves the chain empty (policy accept, drops nothing).
// Only IP packets pass these hooks: ARP and other non-IP frames are never dropped.
import { ruleMark } from '../names/markers.js';
import { chain } from './render.js';
import { quote } from './render-rule.js';

/** Loss on one direction of one interface of the node. */
export interface LossRule {
  readonly dev: string;
  /** out: what the interface sends; in: what it receives. */
  readonly dir: 'out' | 'in';
  /** Percent, 0.01 steps. */
  readonly pct: number;
}

/**
 * `numgen random mod 10000 < N drop`, N the percentage in hundredths. 100% is `<= 9999`: nft
 * refuses the constant 10000 against a value that is at most 9999.
 */
export function lossMatch(pct: number): string {
  const n = Math.round(pct * 100);
  return n >= 10000 ? 'numgen random mod 10000 <= 9999 drop' : `numgen random mod 10000 < ${n} drop`;
}

/** The loss chains of a node. */
export function lossChains(lab: string, rules: readonly LossRule[]): string[] {
  const out = rules.filter((r) => r.dir === 'out' && r.pct > 0);
  const inn = rules.filter((r) => r.dir === 'in' && r.pct > 0);
  const body: string[] = [];
  if (out.length > 0) {
    body.push(
      ...chain(
        'loss-out',
        'type filter hook postrouting priority filter; policy accept;',
        out.map((r) => `oifname ${quote(r.dev)} ${lossMatch(r.pct)} comment ${quote(ruleMark(lab, `loss:${r.dev}:out`))}`),
      ),
    );
  }
  for (const r of inn) {
    body.push(
      ...chain(`loss-in-${r.dev}`, `type filter hook ingress device ${quote(r.dev)} priority filter; policy accept;`, [
        `${lossMatch(r.pct)} comment ${quote(ruleMark(lab, `loss:${r.dev}:in`))}`,
      ]),
    );
  }
  return body;
}
