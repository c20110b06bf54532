// What a rootless lab cannot have is refused in one line naming where, before any change: nat:
// and publish: without a user-mode network stack (naming its package), ports below the user's
// unprivileged start, and a published port tied to one host address.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rootlessLimits } from '../../../src/lab/preflight.js';
import { topo } from '../helpers.js';

const OUT = `name: out
networks:
  lan: { subnet: 10.2.0.0/24, gateway: 10.2.0.1, nat: true }
  back: { subnet: 10.3.0.0/24 }
nodes:
  web:
    interfaces: { eth0: { network: lan } }
    publish: ["8080:80/tcp"]
  db:
    interfaces: { eth0: { network: back } }
`;

test('without a user-mode network stack, nat: and publish: are refused in one line naming the package', () => {
  const limits = rootlessLimits(topo(OUT), { portStart: 1024, netstack: undefined });
  assert.deepEqual(limits, [
    'nat: (network lan) and publish: (node web) need a user-mode network stack in rootless mode: install the Debian package slirp4netns (or run it with sudo)',
  ]);
  const quiet = topo('name: quiet\nnetworks:\n  n: { subnet: 10.4.0.0/24 }\nnodes:\n  a: { interfaces: { eth0: { network: n } } }\n');
  assert.deepEqual(rootlessLimits(quiet, { portStart: 1024, netstack: undefined }), []);
});

test('with slirp4netns, nat: and publish: on a port the user may open are allowed', () => {
  assert.deepEqual(rootlessLimits(topo(OUT), { portStart: 1024, netstack: '/usr/bin/slirp4netns' }), []);
});

test('a published port below ip_unprivileged_port_start, or tied to a host address, is refused naming it', () => {
  const t = topo(OUT.replace('"8080:80/tcp"', '"80:80/tcp", "127.0.0.1:9090:90/tcp"'));
  const limits = rootlessLimits(t, { portStart: 1024, netstack: '/usr/bin/slirp4netns' });
  assert.equal(limits.length, 2);
  assert.match(limits[0] ?? '', /^publish: port 80 \(node web\) below 1024, the lowest you may open \(net\.ipv4\.ip_unprivileged_port_start\)/);
  assert.match(limits[1] ?? '', /^publish: 127\.0\.0\.1:9090 \(node web\) names a host address/);
  assert.deepEqual(rootlessLimits(t, { portStart: 0, netstack: '/usr/bin/slirp4netns' }).length, 1, 'a machine that allows low ports allows them');
});
