// The pure rules rootless mode adds to the kernel layer: the ping group range written inside a
// user namespace, the state tree accepting the unmapped real root as an ancestor's owner only,
// and which argv runs inside the user's namespace.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pingGroupRange } from '../../../src/kernel/probe-netns.js';
import { statProblem } from '../../../src/kernel/safe-fs.js';
import { entersUserNamespace, rootlessPaths, uiPortOf } from '../../../src/lab/rootless.js';

test('ping sockets are allowed for the groups the namespace maps', () => {
  assert.equal(pingGroupRange('         0          0 4294967295\n'), '0 2147483647', 'the first namespace');
  assert.equal(pingGroupRange('         0      65534          1\n'), '0 0', 'rootless: only gid 0 mapped');
  assert.equal(pingGroupRange('         0       1000      65536\n'), '0 65535', 'a subordinate range');
  assert.equal(pingGroupRange(''), '0 2147483647');
});

test('in a user namespace an ancestor owned by the overflow uid is trusted; the base and files are not', () => {
  const dir = { uid: 65534, mode: 0o40755, kind: 'dir' } as const;
  assert.equal(statProblem(dir, 'ancestor', 0, 65534), undefined);
  assert.match(statProblem(dir, 'ancestor', 0) ?? '', /owned by uid 65534/, 'outside a user namespace it is just another user');
  assert.match(statProblem(dir, 'private', 0, 65534) ?? '', /owned by uid 65534/, 'the state root itself must be ours');
  assert.match(statProblem({ ...dir, mode: 0o40777 }, 'ancestor', 0, 65534) ?? '', /writable by any user/);
});

test('verbs that read only a file or print stay outside; the rest enter', () => {
  for (const argv of [['up', 'x.yaml'], ['ls'], ['down', 'lab'], ['exec', 'lab', 'n', '--', 'validate']])
    assert.equal(entersUserNamespace(argv), true, argv.join(' '));
  for (const argv of [['validate', 'x.yaml'], ['graph', 'x.yaml'], ['doctor'], ['up', '--help'], ['--version'], []]) {
    assert.equal(entersUserNamespace(argv), false, argv.join(' '));
  }
  assert.deepEqual(rootlessPaths({ runtime: '/run/user/1000' }), { dir: '/run/user/1000/nslab', state: '/run/user/1000/nslab/state' });
});

test("ui's port is read from argv for the socket made outside; the command's own argv after -- is not", () => {
  assert.equal(uiPortOf(['ui']), undefined);
  assert.equal(uiPortOf(['ui', 'lab', '--port', '0']), 0);
  assert.equal(uiPortOf(['ui', '-p', '9000']), 9000);
  assert.equal(uiPortOf(['ui', '--port=9001']), 9001);
  assert.equal(uiPortOf(['ui', '--port', 'x']), undefined);
  assert.equal(uiPortOf(['ui', '--', '--port', '1']), undefined);
});
