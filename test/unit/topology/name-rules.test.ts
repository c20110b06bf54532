// The naming rules: every kind of name, valid and invalid, with the reason given.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { endpointProblem, hostnameProblem, nameProblem } from '../../../src/topology/name-rules.js';
import type { NameKind } from '../../../src/topology/name-rules.js';

const ROWS: ReadonlyArray<[NameKind, string, RegExp | undefined]> = [
  ['lab', 'demo', undefined],
  ['lab', 'a', undefined],
  ['lab', 'abcdefghij', undefined],
  ['lab', 'abcdefghijk', /11 characters long, more than 10/],
  ['lab', '../etc', /'\.\.'/],
  ['lab', 'Demo', /uppercase/],
  ['lab', '1lab', /start with a letter/],
  ['lab', '-lab', /start with a letter/],
  ['lab', '', /empty/],
  ['node', 'web-1', undefined],
  ['node', 'a'.repeat(32), undefined],
  ['node', 'a'.repeat(33), /33 characters long, more than 32/],
  ['node', 'a b', /a space/],
  ['node', 'a\tb', /whitespace/],
  ['node', 'a/b', /'\/'/],
  ['node', 'a;b', /shell metacharacter ';'/],
  ['node', 'a$(x)', /shell metacharacter '\$'/],
  ['node', 'a`x`', /shell metacharacter '`'/],
  ['node', 'café', /non-ASCII character 'é' \(U\+00E9\)/],
  ['node', 'a\u0000', /control character \\u0000/],
  ['node', 'a_b', /contains '_'/],
  ['network', 'lan', undefined],
  ['network', 'a.b', /contains '\.'/],
  ['interface', 'eth0', undefined],
  ['interface', 'Eth_0.100-x', undefined],
  ['interface', 'a'.repeat(15), undefined],
  ['interface', 'a'.repeat(16), /16 bytes long/],
  ['interface', 'lo', /loopback/],
  ['interface', '.', /path component/],
  ['interface', '..', /path component/],
  ['interface', 'a..b', /'\.\.'/],
  ['interface', 'eth:0', /contains ':'/],
  ['interface', 'eth 0', /a space/],
  ['interface', 'ethé', /non-ASCII/],
  ['interface', '', /empty/],
];

for (const [kind, name, reason] of ROWS) {
  test(`${kind} name ${JSON.stringify(name)} is ${reason ? 'refused' : 'accepted'}`, () => {
    const p = nameProblem(kind, name);
    if (reason === undefined) assert.equal(p, undefined);
    else assert.match(p ?? '', reason);
  });
}

test('a peer is NODE:IFACE with both parts present', () => {
  assert.equal(endpointProblem('r1:eth1'), undefined);
  for (const bad of ['r1', 'r1:', ':eth1', 'a:b:c']) assert.ok(endpointProblem(bad), bad);
});

test('a hostname is dot-separated RFC 1123 labels of at most 64 bytes', () => {
  assert.equal(hostnameProblem('c1'), undefined);
  assert.equal(hostnameProblem('c1.lab.example'), undefined);
  for (const bad of ['', '-c1', 'c1-', 'c_1', 'a'.repeat(65), 'a..b']) assert.ok(hostnameProblem(bad), bad);
});
