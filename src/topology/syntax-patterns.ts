// The value syntaxes of the format as JSON Schema patterns (ECMAScript regex source), so the
// editor schema flags what `nslab validate` flags. The checks that produce nslab's messages are
// the *Problem functions (name-rules.ts, address-syntax.ts, match-syntax.ts, schema-process.ts); each
// pattern here is written to accept exactly what its function accepts, and
// test/unit/topology/schema-patterns.test.ts holds them to it on a corpus of values. Where a
// regex cannot say the rule (a subnet's host bits, a port range's order), the pattern is looser,
// never stricter: an editor must not flag a file nslab accepts.

/** A pattern and whether it says everything its check does (`loose`: the check refuses more). */
export interface SyntaxPattern {
  /** For editors: what the syntax is. */
  readonly description: string;
  readonly pattern: string;
  /** What the regex cannot express, when it accepts more than the check. */
  readonly loose?: string;
}

import { LAB_NAME, NODE_NAME, PROCESS_NAME } from '../names/rules.js';

const whole = (p: string): string => `^(?:${p})$`;
const alt = (...ps: string[]): string => ps.map((p) => `(?:${p})`).join('|');

// Addresses as util/ip.ts parseAddress takes them: dotted quads without leading zeros, and IPv6 in
// RFC 4291 text form (an IPv4 tail and a %zone allowed, as ipaddr.js does).
const OCTET = '25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9]';
const IPV4 = `(?:${OCTET})(?:\\.(?:${OCTET})){3}`;
const H16 = '[0-9A-Fa-f]{1,4}';
const LS32 = `(?:${H16}:${H16}|${IPV4})`;
const h16s = (n: number): string => (n === 0 ? '' : `(?:${H16}:){${n}}`);
/** Up to n groups before "::" ("a:b:c" for n = 3). */
const head = (n: number): string => (n < 0 ? '' : `(?:(?:${H16}:){0,${n}}${H16})?`);
const IPV6_BODY = alt(
  `${h16s(6)}${LS32}`,
  `::${h16s(5)}${LS32}`,
  `${head(0)}::${h16s(4)}${LS32}`,
  `${head(1)}::${h16s(3)}${LS32}`,
  `${head(2)}::${h16s(2)}${LS32}`,
  `${head(3)}::${h16s(1)}${LS32}`,
  `${head(4)}::${LS32}`,
  `${head(5)}::${H16}`,
  `${head(6)}::`,
);
const IPV6 = `(?:${IPV6_BODY})(?:%[0-9A-Za-z]+)?`;
const ADDRESS = alt(IPV4, IPV6);
// Prefix lengths as parseCidr reads them: 1 to 3 digits, at most 32 (IPv4) or 128 (IPv6).
const PREFIX4 = '0?[0-2]?[0-9]|0?3[0-2]';
const PREFIX6 = '[0-9]{1,2}|0[0-9]{2}|1[01][0-9]|12[0-8]';
const CIDR = alt(`${IPV4}/(?:${PREFIX4})`, `${IPV6}/(?:${PREFIX6})`);

const IFNAME = '(?!lo$)(?!\\.$)(?!.*\\.\\.)[A-Za-z0-9_.-]{1,15}';

// A port as match-syntax.ts portNumberProblem takes it in text: at most 6 digits, 1 to 65535.
const PORT_NUMBER = '[1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]';
const PORT = `(?=[0-9]{1,6}(?![0-9]))0*(?:${PORT_NUMBER})`;

const HOST_LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';

/** Every pattern of the format, by what it is the syntax of. */
export const PATTERNS = {
  /** name-rules.ts, kind 'lab'. */
  labName: { description: 'A lab name: 1 to 10 of a-z 0-9 -, starting with a letter.', pattern: whole(LAB_NAME) },
  /** name-rules.ts, kinds 'node' and 'network'. */
  nodeName: { description: 'A node or network name: 1 to 32 of a-z 0-9 -, starting with a letter.', pattern: whole(NODE_NAME) },
  /** name-rules.ts, kind 'interface'. */
  ifaceName: { description: "An interface name: 1 to 15 bytes of A-Z a-z 0-9 _ . -, not lo, '.' or one with '..'.", pattern: whole(IFNAME) },
  /** schema-process.ts processNameProblem. */
  processName: { description: 'A process name: 1 to 32 of a-z 0-9 - _, starting with a letter.', pattern: whole(PROCESS_NAME) },
  /** schema-process.ts logSizeProblem (the range, 4 KiB to 1 GiB, is not in the pattern). */
  logSize: {
    description: 'A size: a number of bytes, or one with a unit such as 512KiB, 10MiB, 1GiB (also K, M, G; kB, MB, GB are powers of 1000).',
    pattern: whole('[0-9]{1,13}(?:\\.[0-9]{1,3})? ?(?:[KMG]i?B?|[kMG]B|B)?'),
    loose: 'the size must be from 4 KiB to 1 GiB',
  },
  /** duration.ts durationProblem (the range of each field is not in the pattern). */
  duration: {
    description: 'A duration: a number of seconds, or one with a unit such as 500ms, 30s, 2m, 1h.',
    pattern: whole('[0-9]{1,9}(?:\\.[0-9]{1,3})? ?(?:ms|s|m|h)?'),
  },
  /** name-rules.ts hostnameProblem. */
  hostname: {
    description: 'A host name: dot-separated labels of letters, digits and inner hyphens, 64 characters at most.',
    pattern: `^(?=.{1,64}$)${HOST_LABEL}(?:\\.${HOST_LABEL})*$`,
  },
  /** name-rules.ts endpointProblem (NODE:IFACE; the names are checked where they are declared). */
  endpoint: { description: 'NODE:IFACE, such as "r1:eth1".', pattern: whole('[^:]+:[^:]+') },
  /** address-syntax.ts addressProblem. */
  address: { description: 'An IPv4 or IPv6 address without /LEN, such as 10.0.0.1 or fd00::1.', pattern: whole(ADDRESS) },
  /** address-syntax.ts cidrProblem. */
  cidr: { description: 'An address with prefix length, such as 10.0.0.1/24.', pattern: whole(CIDR) },
  /** address-syntax.ts subnetProblem. */
  subnet: { description: 'A subnet, such as 10.0.0.0/24 (no host bits set).', pattern: whole(CIDR), loose: 'host bits set after the prefix (10.0.0.1/24)' },
  /** address-syntax.ts addressOrCidrProblem. */
  addressOrCidr: { description: 'An address, with or without /LEN.', pattern: whole(alt(ADDRESS, CIDR)) },
  /** address-syntax.ts destinationProblem. */
  destination: {
    description: "'default', a subnet, or a single address.",
    pattern: whole(alt('default', ADDRESS, CIDR)),
    loose: 'host bits set after the prefix (10.0.0.1/24)',
  },
  /** match-syntax.ts targetProblem: a subnet, an address or a node name. */
  target: {
    description: 'A subnet, an address, or a node name.',
    pattern: whole(alt(CIDR, ADDRESS, NODE_NAME)),
    loose: 'host bits set after the prefix (10.0.0.1/24)',
  },
  /** match-syntax.ts portProblem, for a string: a port or a "LO-HI" range. */
  portText: {
    description: 'A port (1 to 65535) or a range "LO-HI", as text.',
    pattern: `^\\s*(?:${PORT})(?:\\s*-\\s*(?:${PORT}))?\\s*$`,
    loose: 'a range whose end is below its start ("9000-8000")',
  },
  /** match-syntax.ts publishProblem. */
  publish: {
    description: '"[HOSTADDR:]HOSTPORT:NODEPORT[/tcp|udp]", such as "8080:80/tcp".',
    pattern: `^\\s*(?:(?:${IPV4}|\\[${IPV4}\\]):)?(?:${PORT}):(?:${PORT})(?:/(?:[tT][cC][pP]|[uU][dD][pP]))?\\s*$`,
  },
  /** match-syntax.ts hostAddressProblem. */
  hostAddress: { description: 'An IPv4 address of the host, such as 127.0.0.1.', pattern: whole(IPV4) },
  /** validate-expect.ts: a node, NODE:IFACE, or an address. */
  expectTarget: { description: 'A node, NODE:IFACE, or an address.', pattern: whole(alt(ADDRESS, NODE_NAME, `${NODE_NAME}:${IFNAME}`)) },
  /** schema-process.ts: text for exec(2) or the environment, which a NUL would cut short. */
  word: { description: 'Text without a NUL character.', pattern: '^[^\\u0000]*$' },
  /** schema-process.ts: a non-empty word (a user name or number). */
  nonEmptyWord: { description: 'Non-empty text without a NUL character.', pattern: '^[^\\u0000]+$' },
  /** schema-process.ts envNameProblem. */
  envName: { description: 'An environment variable name: not empty, no = and no NUL.', pattern: '^[^=\\u0000]+$' },
} as const satisfies Record<string, SyntaxPattern>;

/** The name of a syntax; its JSON Schema is `#/definitions/<name>`. */
export type SyntaxName = keyof typeof PATTERNS;

/**
 * JSON Schema that points at a syntax's definition: a field refers to it instead of repeating the
 * pattern (the address patterns are long and used in a dozen places). schema-json.ts adds
 * `definitions`.
 */
export function syntaxRef(name: SyntaxName): { allOf: [{ $ref: string }] } {
  return { allOf: [{ $ref: `#/definitions/${name}` }] };
}

/** Top-level keys the parser ignores, for YAML anchors (`x-common: &c ...`), as in compose files. */
export const EXTENSION_KEY = '^x-';
