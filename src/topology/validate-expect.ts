// Cross-checks of `expect:`: `from` is a node; `to` is a node, NODE:IFACE of an existing
// interface, or an address (which may be outside the lab).
import { parseAddress } from '../util/ip.js';
import { IssueCode } from './issues.js';
import type { IssueSink } from './issues.js';
import type { Located, TopologyRaw } from './raw.js';
import { didYouMean, quote } from './text.js';

/** Report expectations that name unknown nodes or interfaces. */
export function validateExpectations(raw: TopologyRaw, sink: IssueSink): void {
  if (!raw.complete.nodes) return;
  raw.expect.forEach((e, i) => {
    if (!e.ok) return;
    const what = `expectation #${i + 1}`;
    if (e.from) checkNode(raw, e.from, `${what}: from`, sink);
    if (e.to) checkTarget(raw, e.to, what, sink);
  });
}

function checkNode(raw: TopologyRaw, ref: Located<string>, what: string, sink: IssueSink): boolean {
  if (raw.nodes.has(ref.value)) return true;
  sink.error(ref.span, IssueCode.UnknownNode, `${what} ${quote(ref.value)} is not a node of the lab${didYouMean(ref.value, raw.nodes.keys())}`);
  return false;
}

function checkTarget(raw: TopologyRaw, to: Located<string>, what: string, sink: IssueSink): void {
  if (parseAddress(to.value)) return;
  const parts = to.value.split(':');
  if (parts.length === 1) {
    checkNode(raw, to, `${what}: to`, sink);
    return;
  }
  const [node = '', iface = ''] = parts;
  const head = `${what}: to ${quote(to.value)}`;
  const n = raw.nodes.get(node);
  if (parts.length !== 2 || node === '' || iface === '') {
    sink.error(to.span, IssueCode.BadValue, `${head} is not a node name, NODE:IFACE or an address`);
  } else if (!n) {
    sink.error(to.span, IssueCode.UnknownNode, `${head}: there is no node ${quote(node)}${didYouMean(node, raw.nodes.keys())}`);
  } else if (n.interfacesOk && !n.interfaces.has(iface)) {
    sink.error(to.span, IssueCode.UnknownInterface, `${head}: node ${quote(node)} has no interface ${quote(iface)}${didYouMean(iface, n.interfaces.keys())}`);
  }
}
