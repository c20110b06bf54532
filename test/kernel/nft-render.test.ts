// nft itself accepts every kind of script render.ts produces: `nft -c -f` (check mode, which
// also asks the kernel in a dry run) inside a sandbox. The texts are pinned by the unit goldens.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { renderDeleteTable, renderHostTable, renderNodeFirewall, renderNodeTable } from '../../src/nft/render.js';
import type { FirewallRule } from '../../src/model/types.js';
import { inSandbox } from './helpers.js';

const span = { file: 't.yaml', line: 1, col: 1 } as unknown as FirewallRule['span'];
const r = (x: Omit<FirewallRule, 'span'>): FirewallRule => ({ ...x, span });

const SCRIPTS: Record<string, string> = {
  'every rule shape in every chain': renderNodeFirewall({
    lab: 'lab_1.x-y',
    fw: {
      input: {
        policy: 'drop',
        established: true,
        span,
        rules: [
          r({
            action: 'accept',
            proto: 'tcp',
            dport: [
              { from: 22, to: 22 },
              { from: 8000, to: 8100 },
            ],
            saddr: ['10.0.0.0/8', 'fd00::/8'],
          }),
          r({ action: 'reject', proto: 'udp', sport: [{ from: 53, to: 53 }], state: ['new', 'invalid'], iif: 'eth0' }),
          r({ action: 'accept', proto: 'icmp' }),
          r({ action: 'accept', proto: 'icmpv6', daddr: ['fd00::1/128'] }),
          r({ action: 'drop', dport: [{ from: 1, to: 1023 }] }),
        ],
      },
      forward: { policy: 'accept', established: false, span, rules: [r({ action: 'drop', iif: 'eth0', oif: 'eth1', state: ['related'] })] },
      output: { policy: 'drop', established: true, span, rules: [r({ action: 'accept', daddr: ['192.0.2.0/24'] })] },
    },
  }),
  'an empty firewall': renderNodeFirewall({ lab: 'l', fw: {} }),
  'a node table with masquerade only': renderNodeTable({ lab: 'l', masquerade: ['eth1', 'up.0'] }),
  'a node table with a firewall and masquerade': renderNodeTable({
    lab: 'l',
    fw: { forward: { policy: 'drop', established: true, span, rules: [r({ action: 'accept', iif: 'eth0', oif: 'eth1' })] } },
    masquerade: ['eth1'],
  }),
  'a host table with NAT and published ports': renderHostTable({
    lab: 'l',
    nat: [{ network: 'n', bridge: 'l-n', subnets: ['172.20.0.0/16', 'fd20::/64'] }],
    publish: [
      { node: 'a', bridge: 'l-n', hostPort: 8080, nodePort: 80, proto: 'tcp', nodeAddress: '172.20.0.2', subnet: '172.20.0.0/16' },
      { node: 'b', hostPort: 53, nodePort: 5353, proto: 'udp', hostAddress: '198.51.100.2', nodeAddress: '172.20.0.3', subnet: '172.20.0.0/16' },
    ],
  }),
  'an empty host table': renderHostTable({ lab: 'l', nat: [], publish: [] }),
  'a delete': renderDeleteTable('l'),
};

for (const [what, script] of Object.entries(SCRIPTS)) {
  test(`nft -c accepts ${what}`, (t) =>
    inSandbox(t, ['nft'], async (sb) => {
      const dir = fs.mkdtempSync(join(tmpdir(), 'nslab-nft-check-'));
      try {
        const file = join(dir, 'script.nft');
        fs.writeFileSync(file, script);
        const res = await sb.run(['nft', '-c', '-f', file]);
        assert.equal(res.code, 0, `${res.stderr}\n${script}`);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }));
}
