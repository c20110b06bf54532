// Broken topology files for the fuzz tests: seeded mutations of examples/*.yaml plus hand-written
// hostile cases (not YAML, huge, deeply nested, alias bombs, wrong types, unsafe names, long
// interface names, bad or overlapping CIDRs, out-of-range ports, bytes that are not UTF-8).
// Pure and deterministic: the same seed gives the same inputs, so a failure can be replayed.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** One generated input: its bytes and how it was made (for failure messages). */
export interface FuzzInput {
  readonly label: string;
  readonly bytes: Uint8Array;
}

/** The examples directory of the source tree (tests run from dist-test/). */
export const EXAMPLES = join(import.meta.dirname, '..', '..', '..', 'examples');

/** The examples' texts, sorted by file name. */
export function exampleTexts(): Array<{ name: string; text: string }> {
  return readdirSync(EXAMPLES)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((name) => ({ name, text: readFileSync(join(EXAMPLES, name), 'utf8') }));
}

/** mulberry32: a tiny seeded PRNG, good enough to pick mutations. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed: NSLAB_FUZZ_SEED when set, else a fresh one (printed by the tests, to replay). */
export function fuzzSeed(): number {
  const s = process.env['NSLAB_FUZZ_SEED'];
  return s !== undefined && /^\d+$/.test(s) ? Number(s) : Math.floor(Math.random() * 2 ** 31);
}

/** How many mutated inputs to make: NSLAB_FUZZ_N, else `fallback`. */
export function fuzzCount(fallback: number): number {
  const n = Number(process.env['NSLAB_FUZZ_N']);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

type Rand = () => number;

function pick<T>(r: Rand, list: readonly T[]): T {
  return list[Math.floor(r() * list.length)]!;
}

const enc = new TextEncoder();

/** Values a person (or an attacker) might write where a name, address or number belongs. */
export const HOSTILE_VALUES: readonly string[] = [
  'a/b',
  '../../etc',
  '..',
  '.',
  'has space',
  '"$(touch /tmp/nslab-fuzz-pwned)"',
  "'; touch /tmp/nslab-fuzz-pwned'",
  '`id`',
  'a|b',
  'a&b',
  'a>b',
  'x*',
  'ünïcode',
  '"\\u202Eevil"',
  '"\\t"',
  '"\\0"',
  'abcdefghijklmnop',
  'ethernet-interface0',
  'UPPER',
  '-lead',
  '0',
  '-1',
  '65536',
  '99999999999999999999',
  '1e999',
  '.nan',
  '.inf',
  '10.0.0.0/33',
  '300.1.1.1/24',
  '10.0.0.1/24/8',
  '::1/129',
  'fe80::/10',
  '0.0.0.0/0',
  '224.0.0.1/24',
  '10.0.0.256',
  '1.2.3',
  '~',
  'null',
  '[]',
  '{}',
  '[a, [b, [c]]]',
  '{ a: { b: { c: d } } }',
  'true',
  'yes',
  '!!binary aGVsbG8=',
  '!!str',
  '&anchor x',
  '*missing',
  '"\\x00\\x01"',
  'x'.repeat(300),
  '"a\\nb"',
  '10.0.0.0/8',
  '172.20.0.0/16',
  'fd00::/7',
  '2001:db8::1/64',
  '-',
  "''",
  '""',
  '\u00a0',
  '\u2028',
];

/** Keys a person might write instead of the right one. */
const HOSTILE_KEYS: readonly string[] = [
  'subnett',
  'ip',
  '__proto__',
  'constructor',
  'toString',
  'a/b',
  '..',
  'has space',
  'ünï',
  '? [a]',
  '"\\u0000"',
  '1e3',
  '~',
  'true',
  '&k key',
  '*k',
  'dport',
  'mtu',
  'peer',
  'network',
  'host',
  'routes',
  'interfaces',
];

/** Text fragments that break YAML structure. */
const JUNK: readonly string[] = [
  '{',
  '}',
  '[',
  ']',
  ':',
  ': :',
  '- ',
  '&a ',
  '*a',
  '!!binary ',
  '\t',
  '---\n',
  '...\n',
  '%YAML 1.1\n',
  '"',
  "'",
  '#',
  '? ',
  '|',
  '>',
  '\u0000',
  '\u202e',
  '\ufeff',
  '😀',
  '\r',
  '\r\n',
  ',',
  '@',
  '`',
  '%',
  '!',
  '<<: *a\n',
];

/** One textual mutation of a YAML text. */
type Mutation = (r: Rand, text: string) => string;

const lines = (t: string): string[] => t.split('\n');

const MUTATIONS: ReadonlyArray<{ name: string; fn: Mutation }> = [
  {
    name: 'delete-line',
    fn: (r, t) => {
      const l = lines(t);
      l.splice(Math.floor(r() * l.length), 1);
      return l.join('\n');
    },
  },
  {
    name: 'duplicate-line',
    fn: (r, t) => {
      const l = lines(t);
      const i = Math.floor(r() * l.length);
      l.splice(i, 0, l[i]!);
      return l.join('\n');
    },
  },
  {
    name: 'swap-lines',
    fn: (r, t) => {
      const l = lines(t);
      const i = Math.floor(r() * l.length);
      const j = Math.floor(r() * l.length);
      [l[i], l[j]] = [l[j]!, l[i]!];
      return l.join('\n');
    },
  },
  { name: 'truncate', fn: (r, t) => t.slice(0, Math.floor(r() * t.length)) },
  {
    name: 'insert-junk',
    fn: (r, t) => {
      const i = Math.floor(r() * t.length);
      return t.slice(0, i) + pick(r, JUNK) + t.slice(i);
    },
  },
  {
    name: 'reindent',
    fn: (r, t) => {
      const l = lines(t);
      const i = Math.floor(r() * l.length);
      l[i] = pick(r, ['', ' ', '   ', '\t', '        ']) + l[i]!.trimStart();
      return l.join('\n');
    },
  },
  { name: 'replace-value', fn: (r, t) => replaceToken(r, t, /(:\s+)([^\s{}[\],#][^,}\]\n#]*)/g, pick(r, HOSTILE_VALUES)) },
  { name: 'replace-flow-value', fn: (r, t) => replaceToken(r, t, /([:,[]\s*)([\w./:-]+)(?=\s*[,}\]])/g, pick(r, HOSTILE_VALUES)) },
  { name: 'replace-key', fn: (r, t) => replaceToken(r, t, /(^\s*|[{,]\s*)([\w-]+)(?=:)/gm, pick(r, HOSTILE_KEYS)) },
  { name: 'replace-name', fn: (r, t) => replaceToken(r, t, /(^\s{2,4})([\w-]+)(?=:\s*$)/gm, pick(r, HOSTILE_VALUES)) },
  {
    name: 'nest-deep',
    fn: (r, t) => replaceToken(r, t, /(:\s+)([^\s{}[\],#][^,}\]\n#]*)/g, '['.repeat(50 + Math.floor(r() * 2000)) + ']'.repeat(50 + Math.floor(r() * 2000))),
  },
  {
    name: 'flip-char',
    fn: (r, t) => {
      const i = Math.floor(r() * t.length);
      return t.slice(0, i) + String.fromCharCode(32 + Math.floor(r() * 95)) + t.slice(i + 1);
    },
  },
  { name: 'append-document', fn: (r, t) => `${t}\n---\n${t.slice(0, Math.floor(r() * t.length))}` },
];

/** Replace the value part (group 2) of one random match of re (which has two groups). */
function replaceToken(r: Rand, text: string, re: RegExp, by: string): string {
  const matches = [...text.matchAll(re)];
  if (matches.length === 0) return text + `\n${by}: ${by}\n`;
  const m = pick(r, matches);
  const start = m.index + m[1]!.length;
  return text.slice(0, start) + by + text.slice(start + m[2]!.length);
}

/** `count` mutations of the examples, each with 1 to 3 textual changes; some made invalid as bytes. */
export function mutatedInputs(seed: number, count: number): FuzzInput[] {
  const r = rng(seed);
  const bases = exampleTexts();
  const out: FuzzInput[] = [];
  for (let k = 0; k < count; k++) {
    const base = pick(r, bases);
    let text = base.text;
    const names: string[] = [];
    for (let n = 1 + Math.floor(r() * 3); n > 0; n--) {
      const m = pick(r, MUTATIONS);
      names.push(m.name);
      text = m.fn(r, text);
    }
    let bytes: Uint8Array = enc.encode(text);
    // One in sixteen: a stray byte that is not UTF-8 (Latin-1 editors, binary junk).
    if (r() < 1 / 16) {
      bytes = spliceByte(bytes, Math.floor(r() * (bytes.length + 1)), pick(r, [0xff, 0xc3, 0xe9, 0x80, 0xfe]));
      names.push('bad-byte');
    }
    out.push({ label: `#${k} ${base.name} ${names.join('+')}`, bytes });
  }
  return out;
}

function spliceByte(b: Uint8Array, at: number, byte: number): Uint8Array {
  const out = new Uint8Array(b.length + 1);
  out.set(b.subarray(0, at), 0);
  out[at] = byte;
  out.set(b.subarray(at), at + 1);
  return out;
}

function aliasBomb(): string {
  let text = 'name: bomb\nnodes:\n  a: &a ["x","x","x","x","x","x","x","x","x"]\n';
  let prev = 'a';
  for (const n of 'bcdefghij') {
    text += `  ${n}: &${n} [${Array(9).fill(`*${prev}`).join(',')}]\n`;
    prev = n;
  }
  return text;
}

const LAB = (nodes: string, networks = 'lan: { subnet: 10.1.0.0/24 }'): string => `name: fz\nnetworks:\n  ${networks}\nnodes:\n${nodes}\n`;

/** The cases of issue #7 item 5, written by hand (each must be refused with a location). */
export function hostileInputs(): FuzzInput[] {
  const t = (label: string, text: string): FuzzInput => ({ label, bytes: enc.encode(text) });
  const node = (name: string, iface = 'eth0', extra = ''): string => `  ${name}:\n    interfaces:\n      ${iface}: { network: lan${extra} }`;
  return [
    t('empty file', ''),
    t('not YAML at all', '\u0000\u0001\u0002{[}]: :\n'),
    t('a list at the top', '- name: fz\n- nodes: {}\n'),
    t('a scalar at the top', 'just words\n'),
    t('two documents', `${LAB(node('a'))}---\n${LAB(node('b'))}`),
    t('an alias bomb', aliasBomb()),
    t('an alias cycle', 'name: fz\nnodes: &n\n  a: *n\n'),
    t('an undefined alias', 'name: fz\nnodes: { a: *nope }\n'),
    t('merge key bomb', 'name: fz\nx: &x { a: 1 }\nnodes:\n  a: { <<: *x, <<: *x }\n'),
    t('deep nesting (lists)', `name: fz\nnodes: ${'['.repeat(5000)}${']'.repeat(5000)}\n`),
    t('deep nesting (mappings)', `name: fz\nnodes:\n${Array.from({ length: 300 }, (_, i) => `${' '.repeat(2 + i)}k${i}:`).join('\n')}\n`),
    t('deep nesting (flow mappings)', `name: fz\nnodes: ${'{a: '.repeat(3000)}1${'}'.repeat(3000)}\n`),
    t('wrong type: nodes is a list', 'name: fz\nnodes: [a, b]\n'),
    t('wrong type: name is a number', `name: 42\nnodes:\n${node('a')}\nnetworks:\n  lan: { subnet: 10.1.0.0/24 }\n`),
    t('wrong type: interfaces is a string', LAB('  a: { interfaces: eth0 }')),
    t('wrong type: subnet is a mapping', LAB(node('a'), 'lan: { subnet: { a: 1 } }')),
    t('wrong type: mtu is text', LAB(node('a', 'eth0', ', mtu: big'))),
    t('node name with /', LAB(node('a/b'))),
    t('node name ..', LAB(node('".."'))),
    t('node name with a space', LAB(node('"a b"'))),
    t('node name with $()', LAB(node('"$(touch /tmp/nslab-fuzz-pwned)"'))),
    t('node name with ;', LAB(node('"a;touch x"'))),
    t('node name non-ASCII', LAB(node('knöten'))),
    t('node name too long', LAB(node('n'.repeat(40)))),
    t('lab name with /', 'name: ../etc\nnodes: { a: {} }\n'),
    t('lab name with a space', 'name: "my lab"\nnodes: { a: {} }\n'),
    t('lab name non-ASCII', 'name: läb\nnodes: { a: {} }\n'),
    t('lab name too long', 'name: abcdefghijk\nnodes: { a: {} }\n'),
    t('network name with a metacharacter', LAB(node('a'), '"l|an": { subnet: 10.1.0.0/24 }')),
    t('interface name of 16 characters', LAB(node('a', 'abcdefghijklmnop'))),
    t('interface name with /', LAB(node('a', '"e/0"'))),
    t('interface name ..', LAB(node('a', '".."'))),
    t('interface name non-ASCII', LAB(node('a', 'ethé'))),
    t('process name with /', LAB(`${node('a')}\n    processes: [ { name: "../x", command: [sleep, "1"] } ]`)),
    t('invalid CIDR prefix', LAB(node('a'), 'lan: { subnet: 10.1.0.0/33 }')),
    t('invalid CIDR octet', LAB(node('a'), 'lan: { subnet: 10.1.0.300/24 }')),
    t('invalid address', LAB(node('a', 'eth0', ', address: 10.1.0.999/24'))),
    t('address outside subnet', LAB(node('a', 'eth0', ', address: 10.2.0.1/24'))),
    t('overlapping subnets', LAB(node('a'), 'lan: { subnet: 10.1.0.0/24 }\n  wan: { subnet: 10.1.0.128/25 }')),
    t('duplicate address', LAB(`${node('a', 'eth0', ', address: 10.1.0.5/24')}\n${node('b', 'eth0', ', address: 10.1.0.5/24')}`)),
    t('port 0', `${LAB(`${node('a')}\n${node('b')}`)}expect: [ { from: a, to: b, tcp: 0 } ]\n`),
    t('port 65536', `${LAB(`${node('a')}\n${node('b')}`)}expect: [ { from: a, to: b, udp: 65536 } ]\n`),
    t('port -1 in a firewall', LAB(`${node('a')}\n    firewall: { input: { allow: [ { proto: tcp, dport: -1 } ] } }`)),
    t('port range backwards', LAB(`${node('a')}\n    firewall: { input: { allow: [ { proto: tcp, dport: "90-80" } ] } }`)),
    t('published port 70000', LAB(`${node('a')}\n    publish: ["70000:80"]`)),
    t('process command an empty list', LAB(`${node('a')}\n    processes: [ { name: p, command: [] } ]`)),
    t('process command an empty word', LAB(`${node('a')}\n    processes: [ { name: p, command: [""] } ]`)),
    t('process argument with a NUL', LAB(`${node('a')}\n    processes: [ { name: p, command: [echo, "a\\0b"] } ]`)),
    t('process env name with =', LAB(`${node('a')}\n    processes: [ { name: p, command: [env], env: { "A=B": x } } ]`)),
    t('process env value a mapping', LAB(`${node('a')}\n    processes: [ { name: p, command: [env], env: { A: { b: 1 } } } ]`)),
    t('duplicate keys', 'name: fz\nname: fz2\nnodes: { a: {} }\n'),
    t('huge number', LAB(node('a', 'eth0', `, mtu: ${'9'.repeat(500)}`))),
    t('unknown keys', LAB(`${node('a')}\n    colour: blue`)),
    t('tab indentation', 'name: fz\nnodes:\n\ta: {}\n'),
    { label: 'not UTF-8 (Latin-1 é)', bytes: Uint8Array.from([...enc.encode('name: fz\nnodes:\n  caf'), 0xe9, ...enc.encode(': {}\n')]) },
    { label: 'UTF-16 with a byte order mark', bytes: utf16(LAB(node('a'))) },
    { label: 'a NUL byte', bytes: Uint8Array.from([...enc.encode('name: fz\nnodes: { a: {} }\n'), 0, 0]) },
    t('a file over 4 MB', `${LAB(node('a'))}${'# padding padding padding padding padding padding padding\n'.repeat(80_000)}`),
  ];
}

function utf16(text: string): Uint8Array {
  const out = new Uint8Array(2 + text.length * 2);
  out[0] = 0xff;
  out[1] = 0xfe;
  for (let i = 0; i < text.length; i++) {
    out[2 + 2 * i] = text.charCodeAt(i) & 0xff;
    out[3 + 2 * i] = text.charCodeAt(i) >> 8;
  }
  return out;
}
