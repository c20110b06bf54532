// Value syntax of firewall matches and published ports, table-driven.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePort, parsePublish, parseTarget, portProblem, publishProblem, targetProblem } from '../../../src/topology/match-syntax.js';

test('ports and ranges: accepted forms parse to inclusive ranges', () => {
  const rows: Array<[number | string, { from: number; to: number }]> = [
    [22, { from: 22, to: 22 }],
    ['443', { from: 443, to: 443 }],
    ['1-65535', { from: 1, to: 65535 }],
    [' 80 - 81 ', { from: 80, to: 81 }],
    ['7-7', { from: 7, to: 7 }],
  ];
  for (const [v, r] of rows) {
    assert.equal(portProblem(v), undefined, String(v));
    assert.deepEqual(parsePort(v), r);
  }
});

test('ports and ranges: every problem has a reason', () => {
  for (const v of [0, 65536, 1.5, -1, '0', '22-', '-22', 'a-b', '10-5', '1-999999', true, null]) assert.ok(portProblem(v), String(v));
});

test('targets: CIDRs canonical, addresses as host CIDRs, names kept', () => {
  assert.deepEqual(parseTarget('10.1.0.0/16'), { kind: 'cidr', cidr: '10.1.0.0/16' });
  assert.deepEqual(parseTarget('fd00:0::1'), { kind: 'cidr', cidr: 'fd00::1/128' });
  assert.deepEqual(parseTarget('web-1'), { kind: 'node', node: 'web-1' });
  for (const bad of ['10.1.0.1/16', '1.2.3', '::g', 'Web', '1abc', '']) assert.ok(targetProblem(bad), bad);
});

test('publish strings like docker -p', () => {
  assert.deepEqual(parsePublish('8080:80'), { hostPort: 8080, nodePort: 80, proto: 'tcp' });
  assert.deepEqual(parsePublish('127.0.0.1:53:5353/UDP'), { hostPort: 53, nodePort: 5353, proto: 'udp', hostAddress: '127.0.0.1' });
  for (const bad of ['80', '80:80:80', 'a:80', '80:80/', '80:80/icmp', '::1:80:80', '[::1]:80:80', '1.2.3.4.5:1:1', '99999:1'])
    assert.ok(publishProblem(bad), bad);
});
