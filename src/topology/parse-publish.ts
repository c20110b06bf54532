// `nodes.NAME.publish` -> PublishRaw[]. Each item is a docker-style string
// "[HOSTADDR:]HOSTPORT:NODEPORT[/tcp|udp]" or a mapping { host, node, proto, address }, checked
// on its own. Checks across the lab (a host port published twice) are in validate-publish.ts,
// the ones that need allocated addresses in model/publish.ts.
import { parseAddress } from '../util/ip.js';
import { IssueCode } from './issues.js';
import type { IssueSink } from './issues.js';
import { parsePublish } from './match-syntax.js';
import { check, keysOf } from './parse-util.js';
import type { PublishRaw } from './raw-firewall.js';
import { publishMapSchema, publishTextSchema } from './schema-firewall.js';
import { describeValue, quote } from './text.js';
import type { SNode } from './tree.js';
import { toPlain } from './tree.js';

/** The readable items of a node's `publish:` list; problems go to the sink. */
export function parsePublishList(node: string, n: SNode, sink: IssueSink): PublishRaw[] {
  if (n.kind !== 'seq') return [];
  return n.items.flatMap((item, i) => {
    const p = parseItem(`published port #${i + 1} of node ${quote(node)}`, item, sink);
    return p ? [p] : [];
  });
}

function parseItem(what: string, n: SNode, sink: IssueSink): PublishRaw | undefined {
  const entity = { node: n, what, where: `in ${what}` };
  if (n.kind === 'map') {
    const d = check(publishMapSchema, { ...entity, keys: keysOf(publishMapSchema) }, sink);
    if (!d) return undefined;
    const host = d.address === undefined ? {} : { hostAddress: parseAddress(d.address)!.address };
    return { what, span: n.span, hostPort: d.host, nodePort: d.node, proto: d.proto ?? 'tcp', ...host };
  }
  if (n.kind === 'scalar' && typeof n.value === 'string') {
    const text = check(publishTextSchema, { ...entity, keys: [] }, sink);
    return text === undefined ? undefined : { what, span: n.span, ...parsePublish(text) };
  }
  sink.error(
    n.span,
    IssueCode.BadValue,
    `${what} must be "HOSTPORT:NODEPORT[/PROTO]" such as "8080:80/tcp", or a mapping such as { host: 8080, node: 80 } (got ${describeValue(toPlain(n))})`,
  );
  return undefined;
}
