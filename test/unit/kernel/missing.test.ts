// What the host lacks, worded: the kernel's refusals that mean a missing kernel feature, and
// the package of a missing program.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { explainFailure } from '../../../src/kernel/errors.js';
import { installHint, missingFeature, needsProgram } from '../../../src/ops/missing.js';
import type { KernelOp } from '../../../src/port/kernel.js';
import { HOST_NS } from '../../../src/port/kernel.js';

const veth: KernelOp = { op: 'link.create', kind: 'veth', ns: HOST_NS, name: 'a', ipv6: false, up: true, peer: { ns: 'x', name: 'b' } };
const bridge: KernelOp = { op: 'link.create', kind: 'bridge', ns: HOST_NS, name: 'br', ipv6: false, up: true };
const unsupported = { ok: false as const, errno: 95, code: 'EOPNOTSUPP', message: 'Unknown device type' };

test('an unknown link kind (EOPNOTSUPP, "Unknown device type") reads as the missing kernel option', () => {
  assert.equal(missingFeature(veth, unsupported), 'this kernel has no veth support (CONFIG_VETH; try `modprobe veth`)');
  assert.equal(
    missingFeature(bridge, { ...unsupported, errno: 22, code: 'EINVAL' }),
    'this kernel has no bridge support (CONFIG_BRIDGE; try `modprobe bridge`)',
  );
  const r = explainFailure(veth, unsupported);
  assert.ok(!r.ok && r.message === 'this kernel has no veth support (CONFIG_VETH; try `modprobe veth`): Unknown device type' && r.code === 'EOPNOTSUPP');
});

test('netns and nftables refusals that mean a missing feature are named; other failures are left alone', () => {
  assert.equal(
    missingFeature({ op: 'netns.create', name: 'n' }, { ok: false, errno: 22, code: 'EINVAL', message: 'Invalid argument' }),
    'this kernel has no network namespace support (CONFIG_NET_NS)',
  );
  assert.match(
    missingFeature(
      { op: 'nft.delete', ns: HOST_NS, table: 't' },
      { ok: false, errno: 22, code: 'EINVAL', message: 'Error: Could not process rule: Operation not supported' },
    ) ?? '',
    /CONFIG_NF_TABLES/,
  );
  const exists = { ok: false as const, errno: 17, code: 'EEXIST', message: 'File exists' };
  assert.equal(missingFeature(veth, exists), undefined);
  assert.deepEqual(explainFailure(veth, exists), exists);
  assert.deepEqual(explainFailure(veth, { ok: true }), { ok: true });
});

test('a missing program is named with its package', () => {
  assert.equal(needsProgram('capture', 'tcpdump'), 'capture needs tcpdump (apt-get install tcpdump)');
  assert.equal(installHint('/usr/bin/busybox'), 'apt-get install busybox');
  assert.equal(installHint('nsenter'), 'apt-get install util-linux');
  assert.equal(installHint('my-own-server'), undefined);
});
