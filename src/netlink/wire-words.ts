// Numbers -> the words iproute2 prints for them (rt_protos, rt_scopes, route types, NUD states,
// RFC 2863 operstates), so snapshots read like `ip -j` output. PURE lookup tables.
// Unknown numbers print as the number in decimal, as iproute2 does.

const PROTOCOLS: Readonly<Record<number, string>> = {
  0: 'unspec',
  1: 'redirect',
  2: 'kernel',
  3: 'boot',
  4: 'static',
  8: 'gated',
  9: 'ra',
  10: 'mrt',
  11: 'zebra',
  12: 'bird',
  13: 'dnrouted',
  14: 'xorp',
  15: 'ntk',
  16: 'dhcp',
  17: 'mrouted',
  18: 'keepalived',
  42: 'babel',
  99: 'openr',
  186: 'bgp',
  187: 'isis',
  188: 'ospf',
  189: 'rip',
  192: 'eigrp',
};

const SCOPES: Readonly<Record<number, string>> = {
  0: 'global',
  200: 'site',
  253: 'link',
  254: 'host',
  255: 'nowhere',
};

const ROUTE_TYPES: readonly string[] = [
  'unspec',
  'unicast',
  'local',
  'broadcast',
  'anycast',
  'multicast',
  'blackhole',
  'unreachable',
  'prohibit',
  'throw',
  'nat',
  'xresolve',
];

/** IF_OPER_* in enum order (linux/if.h). */
const OPERSTATES: readonly string[] = ['UNKNOWN', 'NOTPRESENT', 'DOWN', 'LOWERLAYERDOWN', 'TESTING', 'DORMANT', 'UP'];

/** NUD_* bits (linux/neighbour.h), lowest first. */
const NUD_STATES: readonly string[] = ['INCOMPLETE', 'REACHABLE', 'STALE', 'DELAY', 'PROBE', 'FAILED', 'NOARP', 'PERMANENT'];

/** Route protocol word: 2 → "kernel", 4 → "static". */
export function protocolName(n: number): string {
  return PROTOCOLS[n] ?? String(n);
}

/** Scope word: 0 → "global", 253 → "link", 254 → "host". */
export function scopeName(n: number): string {
  return SCOPES[n] ?? String(n);
}

/** Route type word: 1 → "unicast", 2 → "local". */
export function routeTypeName(n: number): string {
  return ROUTE_TYPES[n] ?? String(n);
}

/** Operational state word: 6 → "UP", 2 → "DOWN". */
export function operstateName(n: number): string {
  return OPERSTATES[n] ?? String(n);
}

/** Neighbour state: the NUD_* bits as words joined by ","; 0 → "NONE". */
export function neighStateName(bits: number): string {
  const words = NUD_STATES.filter((_, i) => (bits & (1 << i)) !== 0);
  return words.length > 0 ? words.join(',') : 'NONE';
}

/** NUD_NOARP: entries iproute2 hides by default (multicast, loopback). */
export const NUD_NOARP = 0x40;
/** NUD_PERMANENT: entries added by hand (`ip neigh add ... permanent`), never flushed. */
export const NUD_PERMANENT = 0x80;
