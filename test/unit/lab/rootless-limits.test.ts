// What a rootless lab cannot have yet is refused in one line naming where, before any change.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rootlessLimits } from '../../../src/lab/preflight.js';
import { topo } from '../helpers.js';

test('nat: and publish: are the rootless limits, each naming its network or node', () => {
  const t = topo(`name: out
networks:
  lan: { subnet: 10.2.0.0/24, gateway: 10.2.0.1, nat: true }
  back: { subnet: 10.3.0.0/24 }
nodes:
  web:
    interfaces: { eth0: { network: lan } }
    publish: ["8080:80/tcp"]
  db:
    interfaces: { eth0: { network: back } }
`);
  const limits = rootlessLimits(t);
  assert.equal(limits.length, 2);
  assert.match(limits[0] ?? '', /^nat: \(network lan\) cannot reach out in rootless mode/);
  assert.match(limits[1] ?? '', /^publish: \(node web\) cannot open ports/);
  const quiet = topo('name: quiet\nnetworks:\n  n: { subnet: 10.4.0.0/24 }\nnodes:\n  a: { interfaces: { eth0: { network: n } } }\n');
  assert.deepEqual(rootlessLimits(quiet), []);
});
