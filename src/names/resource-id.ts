// The ids of the objects a lab owns (`<kind>:<where>:<what>`), minted and read here. They key the
// journal, so a lab built by one version is taken down by the next only if both agree on them:
// the format is fixed, and code asks kindOfId rather than splitting the text itself.
//
//   netns:<ns>                  a namespace the lab created
//   attach:<ns>                 a namespace adopted from a process (netns_of)
//   link:<ns>:<name>            a link (a veth by its first end, a bridge)
//   config:<ns>:<name>          a link's state (master, alias, up): never journaled
//   addr:<ns>:<dev>:<cidr>      an address
//   route:<ns>:<to>             a route
//   sysctl:<ns>:<key>           a sysctl value
//   nft:<ns>:<table>            an nft table
//   qdisc:<ns>:<dev>            a link's root qdisc (rate, delay, loss): never journaled
//   fdb:<ns>:<dev>:<dst>        a tunnel's forwarding entry to a remote machine's underlay address

/** Every kind of resource id, in no particular order. */
export const ID_KINDS = ['netns', 'attach', 'link', 'config', 'addr', 'route', 'sysctl', 'nft', 'qdisc', 'fdb'] as const;

/** The kind an id starts with. */
export type IdKind = (typeof ID_KINDS)[number];

/** A resource id: its kind, a colon, then the kind's fields. */
export type ResourceId = `${IdKind}:${string}`;

/** The constructors, one per kind: the only way ids are made. */
export const resourceId = {
  netns: (ns: string) => `netns:${ns}` as const,
  attach: (ns: string) => `attach:${ns}` as const,
  link: (ns: string, name: string) => `link:${ns}:${name}` as const,
  config: (ns: string, name: string) => `config:${ns}:${name}` as const,
  addr: (ns: string, dev: string, cidr: string) => `addr:${ns}:${dev}:${cidr}` as const,
  route: (ns: string, to: string) => `route:${ns}:${to}` as const,
  sysctl: (ns: string, key: string) => `sysctl:${ns}:${key}` as const,
  nft: (ns: string, table: string) => `nft:${ns}:${table}` as const,
  qdisc: (ns: string, dev: string) => `qdisc:${ns}:${dev}` as const,
  fdb: (ns: string, dev: string, dst: string) => `fdb:${ns}:${dev}:${dst}` as const,
} satisfies Record<IdKind, (...fields: string[]) => ResourceId>;

const KINDS: ReadonlySet<string> = new Set(ID_KINDS);

/** The kind of an id (one read back from a journal included), or undefined when it has none. */
export function kindOfId(id: string): IdKind | undefined {
  const colon = id.indexOf(':');
  const kind = colon < 0 ? '' : id.slice(0, colon);
  return KINDS.has(kind) ? (kind as IdKind) : undefined;
}

/** Whether text is a resource id of a known kind. */
export function isResourceId(text: string): text is ResourceId {
  return kindOfId(text) !== undefined;
}
