// Checks over every address after IPAM: no address twice on one segment or in one namespace
// (errors), and the seed-001 routing trap (warning): two links of one namespace in the same or
// overlapping subnets, where the routing table sends the whole subnet, ARP included, out of
// only one of them.
import { IssueCode } from '../topology/issues.js';
import type { IssueSink } from '../topology/issues.js';
import { overlappingPairs } from '../topology/overlaps.js';
import { quote } from '../topology/text.js';
import { formatCidr, networkOf } from '../util/ip.js';
import type { AddressEntry } from './address-inventory.js';
import { HOST } from './address-inventory.js';

/** Report duplicates and same-subnet traps among the entries (in file order). */
export function checkAddresses(entries: readonly AddressEntry[], sink: IssueSink): void {
  checkDuplicates(entries, (e) => `s:${e.segment}`, sink);
  checkDuplicates(entries, (e) => `n:${e.ns}`, sink);
  for (const group of groupBy(entries, (e) => e.ns).values()) checkSameSubnet(group, sink);
}

function checkDuplicates(entries: readonly AddressEntry[], scope: (e: AddressEntry) => string, sink: IssueSink): void {
  const first = new Map<string, AddressEntry>();
  for (const e of entries) {
    const key = `${scope(e)}|${e.cidr.address}`;
    const prior = first.get(key);
    if (!prior) {
      first.set(key, e);
      continue;
    }
    // A namespace-wide duplicate on the same segment is already reported as a segment duplicate.
    if (scope(e).startsWith('n:') && prior.segment === e.segment) continue;
    const where = scope(e).startsWith('s:') ? segmentText(e) : nsText(e.ns);
    sink.error(e.span, IssueCode.DuplicateAddress, `address ${e.cidr.address} of ${e.who} is already used by ${prior.who} (line ${prior.span.line}) ${where}`);
  }
}

function checkSameSubnet(group: readonly AddressEntry[], sink: IssueSink): void {
  const ignore = (a: AddressEntry, b: AddressEntry): boolean => a.segment === b.segment || a.cidr.address === b.cidr.address || (a.gateway && b.gateway);
  for (const [a, b] of overlappingPairs({ items: group, cidrOf: (e) => e.cidr, ignore })) {
    const [na, nb] = [formatCidr(networkOf(a.cidr)), formatCidr(networkOf(b.cidr))];
    const where = na === nb ? `the same subnet ${na}` : `overlapping subnets ${nb} and ${na}`;
    const what = na === nb ? `all of ${na}` : 'the shared addresses';
    sink.warn(
      b.span,
      IssueCode.SameSubnet,
      `${b.who} (${formatCidr(b.cidr)}) and ${a.who} (${formatCidr(a.cidr)}, line ${a.span.line}) are in ${where} ` +
        `on different links ${nsText(b.ns)}: its routing table sends ${what}, ARP included, out of only one of them, ` +
        'so whatever is behind the other link gets no replies; put them on one network (a bridge) or use separate subnets',
    );
  }
}

function segmentText(e: AddressEntry): string {
  return e.segment.startsWith('net:') ? `on network ${quote(e.segment.slice(4))}` : 'on the same link';
}

function nsText(ns: string): string {
  return ns === HOST ? 'in the host namespace' : `in node ${quote(ns)}`;
}

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const t of items) {
    const k = key(t);
    const list = out.get(k);
    if (list) list.push(t);
    else out.set(k, [t]);
  }
  return out;
}
