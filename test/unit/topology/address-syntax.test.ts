// Syntax of address values: ADDR, ADDR/LEN, subnets, route destinations.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  addressOrCidrProblem,
  addressProblem,
  cidrProblem,
  destinationProblem,
  parseAddressSpec,
  parseDestination,
  subnetProblem,
} from '../../../src/topology/address-syntax.js';

const ROWS: ReadonlyArray<[string, (s: string) => string | undefined, string, RegExp | undefined]> = [
  ['address', addressProblem, '10.0.0.1', undefined],
  ['address', addressProblem, 'fd00::1', undefined],
  ['address', addressProblem, '10.0.0.1/24', /without \/LEN/],
  ['address', addressProblem, '10.1', /not an IPv4 or IPv6 address/],
  ['address', addressProblem, '256.0.0.1', /not an IPv4/],
  ['cidr', cidrProblem, '10.0.0.1/24', undefined],
  ['cidr', cidrProblem, 'fd00::1/128', undefined],
  ['cidr', cidrProblem, '10.0.0.1', /no \/LEN/],
  ['cidr', cidrProblem, '10.0.0.1/33', /\/33 is more than 32, the IPv4 maximum/],
  ['cidr', cidrProblem, 'fd00::/129', /128, the IPv6 maximum/],
  ['cidr', cidrProblem, '10.0.0.1/+8', /'\/\+8' is not a prefix length/],
  ['cidr', cidrProblem, '10.0.0.1/0008', /not a prefix length/],
  ['cidr', cidrProblem, 'x/8', /'x' is not an IPv4/],
  ['subnet', subnetProblem, '10.0.0.0/8', undefined],
  ['subnet', subnetProblem, '10.0.0.1/8', /host bits set \(did you mean 10\.0\.0\.0\/8\?\)/],
  ['subnet', subnetProblem, 'fd00::1/64', /did you mean fd00::\/64/],
  ['address or cidr', addressOrCidrProblem, '10.0.0.5', undefined],
  ['address or cidr', addressOrCidrProblem, '10.0.0.5/24', undefined],
  ['address or cidr', addressOrCidrProblem, 'ten', /not an IPv4/],
  ['destination', destinationProblem, 'default', undefined],
  ['destination', destinationProblem, '10.9.0.0/16', undefined],
  ['destination', destinationProblem, '10.9.0.7', undefined],
  ['destination', destinationProblem, '10.9.0.7/16', /host bits/],
  ['destination', destinationProblem, 'Default', /not an IPv4/],
];

for (const [kind, check, text, reason] of ROWS) {
  test(`${kind} ${text} is ${reason ? 'refused' : 'accepted'}`, () => {
    const p = check(text);
    if (reason === undefined) assert.equal(p, undefined);
    else assert.match(p ?? '', reason);
  });
}

test('parsed addresses are canonical and keep whether a prefix was written', () => {
  assert.deepEqual(parseAddressSpec('fd00:0:0:0:0:0:0:1'), { address: 'fd00::1', family: 6 });
  assert.deepEqual(parseAddressSpec('10.0.0.1/24'), { address: '10.0.0.1', family: 4, prefix: 24 });
});

test('default is IPv4 unless the next hop is IPv6; a single address is a host route', () => {
  assert.deepEqual(parseDestination('default', undefined), { address: '0.0.0.0', prefix: 0, family: 4 });
  assert.deepEqual(parseDestination('default', 6), { address: '::', prefix: 0, family: 6 });
  assert.deepEqual(parseDestination('10.9.0.7', 4), { address: '10.9.0.7', prefix: 32, family: 4 });
});
