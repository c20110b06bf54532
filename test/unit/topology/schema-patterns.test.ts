// The JSON Schema patterns (syntax-patterns.ts) against the checks nslab runs: on a corpus of
// hand-picked and mutated values, a pattern accepts everything its check accepts (an editor never
// flags a value nslab takes) and, unless declared loose, nothing else.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addressOrCidrProblem, addressProblem, cidrProblem, destinationProblem, subnetProblem } from '../../../src/topology/address-syntax.js';
import { hostAddressProblem, portProblem, publishProblem, targetProblem } from '../../../src/topology/match-syntax.js';
import { endpointProblem, hostnameProblem, nameProblem } from '../../../src/topology/name-rules.js';
import { envNameProblem, logSizeProblem, noNul, processNameProblem, userProblem } from '../../../src/topology/schema-process.js';
import { durationProblem } from '../../../src/topology/duration.js';
import { PATTERNS } from '../../../src/topology/syntax-patterns.js';
import type { SyntaxName } from '../../../src/topology/syntax-patterns.js';
import { parseAddress } from '../../../src/util/ip.js';

const ok =
  (p: (s: string) => string | undefined) =>
  (s: string): boolean =>
    p(s) === undefined;
const node = ok((s) => nameProblem('node', s));

/** What nslab accepts, per syntax. */
const ACCEPTS: Record<SyntaxName, (s: string) => boolean> = {
  labName: ok((s) => nameProblem('lab', s)),
  nodeName: node,
  ifaceName: ok((s) => nameProblem('interface', s)),
  processName: ok(processNameProblem),
  logSize: ok(logSizeProblem),
  duration: ok(durationProblem),
  hostname: ok(hostnameProblem),
  endpoint: ok(endpointProblem),
  address: ok(addressProblem),
  cidr: ok(cidrProblem),
  subnet: ok(subnetProblem),
  addressOrCidr: ok(addressOrCidrProblem),
  destination: ok(destinationProblem),
  target: ok(targetProblem),
  portText: ok(portProblem),
  publish: ok(publishProblem),
  hostAddress: ok(hostAddressProblem),
  // validate-expect.ts: an address, a node, or NODE:IFACE of a node's interface.
  expectTarget: (s) =>
    parseAddress(s) !== undefined ||
    node(s) ||
    (s.split(':').length === 2 && node(s.split(':')[0]!) && nameProblem('interface', s.split(':')[1]!) === undefined),
  word: ok(noNul),
  nonEmptyWord: ok(userProblem),
  envName: ok(envNameProblem),
};

const SEEDS = [
  '',
  ' ',
  'a',
  'z9',
  'demo',
  'demo-1',
  'abcdefghij',
  'abcdefghijk',
  'a'.repeat(32),
  'a'.repeat(33),
  '-a',
  '1a',
  'A',
  'aB',
  'a_b',
  'a.b',
  'a..b',
  '.',
  '..',
  'lo',
  'lo0',
  'eth0',
  'eth0.100',
  'veth_1-x.y',
  'x'.repeat(15),
  'x'.repeat(16),
  'é',
  'a b',
  'a/b',
  'a:b',
  'r1:eth1',
  ':x',
  'x:',
  'a:b:c',
  'host.example',
  'a-.b',
  '-a.b',
  `${'a'.repeat(63)}.b`,
  'a'.repeat(64),
  'a'.repeat(65),
  '10.0.0.1',
  '10.0.0.0/24',
  '10.0.0.1/24',
  '10.0.0.1/32',
  '10.0.0.1/33',
  '10.0.0.1/08',
  '10.0.0.1/008',
  '10.0.0.1/0',
  '0.0.0.0/0',
  '255.255.255.255',
  '256.0.0.1',
  '010.0.0.1',
  '10.1',
  '10.0.0',
  '1.2.3.4.5',
  '10.0.0.1/',
  '10.0.0.1/-1',
  '10.0.0.1/ 24',
  ' 10.0.0.1',
  'fd00::1',
  'fd00::/64',
  'fd00::1/64',
  'fd00::1/128',
  'fd00::1/129',
  'fd00::1/012',
  '::',
  '::1',
  '::/0',
  '1::',
  '1:2:3:4:5:6:7:8',
  '1:2:3:4:5:6:7:8:9',
  '1:2:3:4:5:6:7::',
  '::2:3:4:5:6:7:8',
  '1::2::3',
  ':::1',
  '1:2:3:4:5:6:7',
  '::ffff:10.0.0.1',
  '::ffff:10.0.0.1/120',
  '64:ff9b::1.2.3.4',
  'fe80::1%eth0',
  'fe80::1%1',
  'FD00::A',
  'fd00::g',
  '12345::1',
  'default',
  'Default',
  'web',
  'web:eth0',
  'web:eth0:1',
  '22',
  '0',
  '65535',
  '65536',
  '080',
  '000080',
  '0000080',
  ' 22 ',
  '8000-8080',
  '8000 - 8080',
  '9000-8000',
  '1-65536',
  '22-',
  '-22',
  '2 2',
  '8080:80',
  '8080:80/tcp',
  '8080:80/UDP',
  '8080:80/sctp',
  '127.0.0.1:8080:80',
  '[127.0.0.1]:8080:80',
  'fd00::1:8080:80',
  '[fd00::1]:8080:80',
  '0:80',
  '8080:80/',
  ' 8080:80 ',
  'localhost:8080:80',
  '10MiB',
  '500ms',
  '30s',
  '1.5 m',
  '2h',
  '512K',
  '1GiB',
  '4096',
  '1.5MB',
  '2GB',
  '10 MiB',
  '0B',
  '3kB',
  '10mib',
  '2TiB',
  '1.2345M',
  '4KiB',
  'a\0b',
  'A=B',
  '=',
  'PATH',
  '\0',
  'a\tb',
  'a\nb',
  ' x',
  'x ',
];

/** Deterministic mutations of the seeds: drop, duplicate, swap or replace a character. */
function corpus(): string[] {
  const alphabet = ['0', '1', '2', '5', '9', 'a', 'f', 'x', 'A', '-', '_', '.', ':', '/', '%', ' ', '[', ']'];
  let seed = 12345;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const out = new Set(SEEDS);
  for (const s of SEEDS) {
    for (let k = 0; k < 12 && s.length > 0; k++) {
      const i = rnd(s.length);
      const c = alphabet[rnd(alphabet.length)]!;
      const ops = [s.slice(0, i) + s.slice(i + 1), s.slice(0, i) + c + s.slice(i), s.slice(0, i) + c + s.slice(i + 1), s.slice(0, i) + s[i] + s.slice(i)];
      out.add(ops[rnd(ops.length)]!);
    }
  }
  return [...out];
}

const CORPUS = corpus();

for (const [name, p] of Object.entries(PATTERNS) as [SyntaxName, (typeof PATTERNS)[SyntaxName]][]) {
  test(`pattern ${name} accepts what nslab accepts${'loose' in p ? '' : ', and nothing else'}`, () => {
    // Ajv compiles patterns with the u flag; so do editors.
    const re = new RegExp(p.pattern, 'u');
    const accepts = ACCEPTS[name];
    const tooStrict = CORPUS.filter((s) => accepts(s) && !re.test(s));
    assert.deepEqual(tooStrict, [], `${name}: nslab accepts these, the pattern refuses them`);
    const tooLoose = CORPUS.filter((s) => !accepts(s) && re.test(s));
    if ('loose' in p) assert.ok(tooLoose.length > 0, `${name} is declared loose (${p.loose}) but the corpus finds no difference`);
    else assert.deepEqual(tooLoose, [], `${name}: the pattern accepts these, nslab refuses them`);
    assert.ok(CORPUS.some(accepts), `${name}: the corpus holds no valid value`);
  });
}
