// A host without libnftables or without a program a lab runs: up refuses before changing
// anything, naming the feature and the package (exit 1); a dry run warns; a lab that uses no
// nftables never asks for it (up, show, down, clean). FakeKernel plays the host without the
// library (nftAbsent), so this runs the same wherever libnftables is installed.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { FakeKernel } from '../../helpers/fake-kernel.js';
import { LIBNFTABLES } from '../../../src/ops/missing.js';
import { scanLeftovers } from '../../../src/lab/clean.js';
import { down } from '../../../src/lab/down.js';
import { show } from '../../../src/lab/show.js';
import { up } from '../../../src/lab/up.js';
import { isNslabError } from '../../../src/util/errors.js';
import { withStateDir, writeLab } from '../helpers.js';

const NFT_LAB = `
name: nftlab
networks:
  lan: { subnet: 10.61.0.0/24, gateway: 10.61.0.1, nat: true }
nodes:
  web:
    interfaces: { eth0: { network: lan, address: 10.61.0.10/24 } }
    publish: ["8080:80/tcp"]
    firewall: { input: { policy: drop } }
`;

const PLAIN_LAB = `
name: plain
networks:
  lan: { subnet: 10.62.0.0/24, gateway: 10.62.0.1 }
nodes:
  a: { interfaces: { eth0: { network: lan } } }
  b: { interfaces: { eth0: { network: lan } } }
`;

function absent(): FakeKernel {
  const k = new FakeKernel();
  k.nftAbsent = `nftables rules need ${LIBNFTABLES}`;
  return k;
}

async function refusal(p: Promise<unknown>): Promise<{ message: string; exitStatus: number }> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  assert.ok(isNslabError(e), `expected a one-line NslabError, got ${String(e)}`);
  return e;
}

test('without libnftables, up of a lab with NAT, a firewall and publish names them, exit 1, and changes nothing', async () => {
  await withStateDir(async (dir, root) => {
    const k = absent();
    const e = await refusal(up({ state: root, file: writeLab(dir, NFT_LAB), openKernel: () => k }));
    assert.equal(e.exitStatus, 1);
    assert.equal(e.message, `lab nftlab: NAT (network lan), a firewall (node web) and published ports (node web) need ${LIBNFTABLES}; nothing was changed`);
    assert.doesNotMatch(e.message, /\n/);
    assert.equal(k.log.length, 0, 'no kernel operation ran');
    assert.equal(existsSync(join(dir, 'state', 'nftlab')), false, 'no state was written');
  });
});

test('without libnftables, up --dry-run warns the same way and still prints the plan', async () => {
  await withStateDir(async (dir, root) => {
    const k = absent();
    const r = await up({ state: root, file: writeLab(dir, NFT_LAB), openKernel: () => k, dryRun: true });
    assert.ok(
      r.warnings.includes(`warning: up would refuse: NAT (network lan), a firewall (node web) and published ports (node web) need ${LIBNFTABLES}`),
      r.warnings.join('\n'),
    );
    assert.ok(
      r.steps.some((s) => s.op.op === 'nft.load'),
      'the plan shows the tables up would load',
    );
    assert.equal(k.log.length, 0);
  });
});

test('without libnftables, a lab that uses no nftables goes up, is shown, cleaned around and taken down', async () => {
  await withStateDir(async (dir, root) => {
    const k = absent();
    await up({ state: root, file: writeLab(dir, PLAIN_LAB), openKernel: () => k });
    const shown = await show({ state: root, lab: 'plain', openKernel: () => k });
    assert.equal(shown.nodes.length, 2);
    assert.equal(shown.hostRules, undefined);
    assert.deepEqual(await scanLeftovers({ state: root, openKernel: () => k }), [], 'clean finds nothing to remove (and lists no tables)');
    const d = await down({ state: root, target: 'plain', openKernel: () => k });
    assert.equal(d.wasUp, true);
    assert.equal(k.objectCount(), 0);
  });
});

test('down of a lab whose journal owns nftables tables refuses without libnftables, before touching anything', async () => {
  await withStateDir(async (dir, root) => {
    const k = new FakeKernel();
    await up({ state: root, file: writeLab(dir, NFT_LAB), openKernel: () => k });
    const objects = k.objectCount();
    k.nftAbsent = `nftables rules need ${LIBNFTABLES}`;
    const e = await refusal(down({ state: root, target: 'nftlab', openKernel: () => k }));
    assert.equal(e.exitStatus, 1);
    assert.match(
      e.message,
      /^lab nftlab: removing its nftables tables \(NAT, firewall, published ports\) needs libnftables \(Debian\/Ubuntu: apt-get install libnftables1\); nothing was changed$/,
    );
    assert.equal(k.objectCount(), objects);
    k.nftAbsent = undefined;
    await down({ state: root, target: 'nftlab', openKernel: () => k });
    assert.equal(k.objectCount(), 0);
  });
});

test('a process whose command is not installed fails up before the network is built, naming it and its package', async () => {
  await withStateDir(async (dir, root) => {
    const k = new FakeKernel();
    const file = writeLab(
      dir,
      `${PLAIN_LAB}    processes:\n      - { name: srv, command: [nslab-no-such-program, -x] }\n`.replace(
        '  b: { interfaces: { eth0: { network: lan } } }\n',
        '  b:\n    interfaces: { eth0: { network: lan } }\n',
      ),
    );
    const e = await refusal(up({ state: root, file, openKernel: () => k }));
    assert.equal(e.exitStatus, 1);
    assert.match(
      e.message,
      /^lab plain: process b\.srv: command not found: nslab-no-such-program \(install it on the host or give its full path; nodes run the host's programs\); nothing was changed$/,
    );
    assert.equal(k.log.length, 0);
    const dry = await up({ state: root, file, openKernel: () => k, dryRun: true });
    assert.ok(dry.warnings.some((w) => w.includes('command not found: nslab-no-such-program')));
  });
});

test('without libnftables, a node that masquerades without a firewall is counted too, in the same one line', async () => {
  await withStateDir(async (dir, root) => {
    const k = absent();
    const lab = `
name: masq
networks:
  lan: { subnet: 10.63.0.0/24 }
  up: { subnet: 10.64.0.0/24 }
nodes:
  r1:
    forwarding: true
    interfaces:
      eth0: { network: lan }
      eth1: { network: up, masquerade: true }
  h: { interfaces: { eth0: { network: lan } } }
`;
    const e = await refusal(up({ state: root, file: writeLab(dir, lab), openKernel: () => k }));
    assert.equal(e.exitStatus, 1);
    assert.equal(e.message, `lab masq: masquerade (node r1) needs ${LIBNFTABLES}; nothing was changed`);
    assert.equal(k.log.length, 0, 'no kernel operation ran');
  });
});
