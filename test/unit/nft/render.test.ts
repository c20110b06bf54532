// Golden texts of the nft scripts nslab loads: node firewalls, the host table (NAT, published
// ports, hairpin) and deletion. nft itself accepts them: test/kernel/nft-render.test.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nftTableName } from '../../../src/names/markers.js';
import { renderDeleteTable, renderHostTable, renderNodeFirewall, renderNodeTable } from '../../../src/nft/render.js';
import { renderRule } from '../../../src/nft/render-rule.js';
import type { Firewall, FirewallRule } from '../../../src/model/types.js';

const span = { file: 'lab.yaml', line: 1, col: 1 } as unknown as FirewallRule['span'];
const rule = (r: Omit<FirewallRule, 'span'>): FirewallRule => ({ ...r, span });

const FW: Firewall = {
  input: {
    policy: 'drop',
    established: true,
    span,
    rules: [
      rule({ action: 'accept', proto: 'tcp', dport: [{ from: 8080, to: 8080 }] }),
      rule({ action: 'accept', proto: 'icmp', saddr: ['10.0.0.0/24', 'fd00::/64'] }),
      rule({
        action: 'reject',
        saddr: ['10.0.0.0/24', 'fd00::/64'],
        sport: [
          { from: 1000, to: 2000 },
          { from: 3000, to: 3000 },
        ],
        state: ['new', 'invalid'],
        iif: 'eth0',
      }),
    ],
  },
  output: { policy: 'accept', established: false, span, rules: [rule({ action: 'drop', proto: 'udp', oif: 'eth1' })] },
};

test('a node firewall refills table inet nslab-<lab> with all three base chains, rules tagged in order', () => {
  assert.equal(
    renderNodeFirewall({ lab: 'demo', fw: FW }),
    `table inet nslab-demo { comment "nslab:demo"; }
flush table inet nslab-demo
table inet nslab-demo {
	chain input {
		type filter hook input priority filter; policy drop;
		ct state established,related accept comment "nslab:demo:input#0"
		tcp dport 8080 accept comment "nslab:demo:input#1"
		ip saddr 10.0.0.0/24 meta l4proto icmp accept comment "nslab:demo:input#2"
		iifname "eth0" ip saddr 10.0.0.0/24 meta l4proto { tcp, udp } th sport { 1000-2000, 3000 } ct state new,invalid reject comment "nslab:demo:input#3"
		iifname "eth0" ip6 saddr fd00::/64 meta l4proto { tcp, udp } th sport { 1000-2000, 3000 } ct state new,invalid reject comment "nslab:demo:input#3"
	}
	chain forward {
		type filter hook forward priority filter; policy accept;
	}
	chain output {
		type filter hook output priority filter; policy accept;
		oifname "eth1" meta l4proto udp drop comment "nslab:demo:output#1"
	}
}
`,
  );
});

test('addresses are split by family, and a rule with no family in common renders as a comment', () => {
  const tag = 'nslab:l:input#7';
  assert.deepEqual(renderRule(rule({ action: 'accept', saddr: ['10.0.0.0/8'], daddr: ['fd00::1/128'] }), tag), [
    '# nslab:l:input#7: never matches (no address family in common)',
  ]);
  assert.deepEqual(renderRule(rule({ action: 'drop', daddr: ['10.0.0.1/32', '10.0.0.2/32', 'fd00::/8'] }), tag), [
    'ip daddr { 10.0.0.1/32, 10.0.0.2/32 } drop comment "nslab:l:input#7"',
    'ip6 daddr fd00::/8 drop comment "nslab:l:input#7"',
  ]);
  assert.deepEqual(renderRule(rule({ action: 'accept', proto: 'icmpv6', saddr: ['10.0.0.0/8', 'fd00::/8'] }), tag), [
    'ip6 saddr fd00::/8 meta l4proto ipv6-icmp accept comment "nslab:l:input#7"',
  ]);
  assert.deepEqual(
    renderRule(
      rule({
        action: 'accept',
        proto: 'udp',
        dport: [
          { from: 53, to: 53 },
          { from: 5353, to: 5353 },
        ],
        state: ['new'],
      }),
      tag,
    ),
    ['udp dport { 53, 5353 } ct state new accept comment "nslab:l:input#7"'],
  );
});

test('the host table masquerades NAT subnets, publishes ports with DNAT and masquerades hairpin flows', () => {
  const script = renderHostTable({
    lab: 'demo',
    nat: [{ network: 'lan', bridge: 'demo-lan', subnets: ['172.20.0.0/24', 'fd20::/64'] }],
    publish: [
      { node: 'web', bridge: 'demo-lan', hostPort: 8080, nodePort: 80, proto: 'tcp', nodeAddress: '172.20.0.3', subnet: '172.20.0.0/24' },
      { node: 'dns', hostPort: 5353, nodePort: 53, proto: 'udp', hostAddress: '198.51.100.2', nodeAddress: '172.20.0.4', subnet: '172.20.0.0/24' },
    ],
  });
  assert.equal(
    script,
    `table inet nslab-demo { comment "nslab:demo"; }
delete table inet nslab-demo
table inet nslab-demo {
	comment "nslab:demo"
	chain prerouting {
		type nat hook prerouting priority dstnat; policy accept;
		fib daddr type local ip daddr != 127.0.0.0/8 tcp dport 8080 dnat ip to 172.20.0.3:80 comment "nslab:demo:publish:web:8080/tcp"
		fib daddr type local ip daddr 198.51.100.2 udp dport 5353 dnat ip to 172.20.0.4:53 comment "nslab:demo:publish:dns:5353/udp"
	}
	chain output {
		type nat hook output priority -100; policy accept;
		fib daddr type local ip daddr != 127.0.0.0/8 tcp dport 8080 dnat ip to 172.20.0.3:80 comment "nslab:demo:publish:web:8080/tcp"
		fib daddr type local ip daddr 198.51.100.2 udp dport 5353 dnat ip to 172.20.0.4:53 comment "nslab:demo:publish:dns:5353/udp"
	}
	chain forward {
		type filter hook forward priority filter; policy accept;
		iifname "demo-lan" accept comment "nslab:demo:forward:lan"
		oifname "demo-lan" ct state established,related accept comment "nslab:demo:forward:lan"
		oifname "demo-lan" ct status dnat accept comment "nslab:demo:publish:web:8080/tcp"
	}
	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		ip saddr 172.20.0.0/24 oifname != "demo-lan" masquerade comment "nslab:demo:nat:lan"
		ip6 saddr fd20::/64 oifname != "demo-lan" masquerade comment "nslab:demo:nat:lan"
		ip saddr 172.20.0.0/24 ip daddr 172.20.0.3 tcp dport 80 ct status dnat masquerade comment "nslab:demo:hairpin:publish:web:8080/tcp"
		ip saddr 172.20.0.0/24 ip daddr 172.20.0.4 udp dport 53 ct status dnat masquerade comment "nslab:demo:hairpin:publish:dns:5353/udp"
	}
}
`,
  );
});

test('a host table with nothing to do is an empty marked table; no chain means no hook', () => {
  assert.equal(
    renderHostTable({ lab: 'x', nat: [], publish: [] }),
    'table inet nslab-x { comment "nslab:x"; }\ndelete table inet nslab-x\ntable inet nslab-x {\n\tcomment "nslab:x"\n}\n',
  );
});

test('deleting creates first, so it succeeds also when the table is absent', () => {
  assert.equal(renderDeleteTable('demo'), 'table inet nslab-demo { comment "nslab:demo"; }\ndelete table inet nslab-demo\n');
});

test('names that cannot be nft identifiers or strings are refused, not rendered', () => {
  assert.equal(nftTableName('lab_1.a-b'), 'nslab-lab_1.a-b');
  assert.throws(() => nftTableName('a b'), /not a valid table suffix/);
  assert.throws(() => renderRule(rule({ action: 'drop', iif: 'e"th' }), 't'), /cannot quote/);
});

test('masquerade: the node table gets a nat postrouting chain, one rule per interface; without a firewall the filter chains accept', () => {
  assert.equal(
    renderNodeTable({ lab: 'demo', masquerade: ['eth1', 'up 0'] }),
    `table inet nslab-demo { comment "nslab:demo"; }
flush table inet nslab-demo
table inet nslab-demo {
	chain input {
		type filter hook input priority filter; policy accept;
	}
	chain forward {
		type filter hook forward priority filter; policy accept;
	}
	chain output {
		type filter hook output priority filter; policy accept;
	}
	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "eth1" masquerade comment "nslab:demo:masquerade:eth1"
		oifname "up 0" masquerade comment "nslab:demo:masquerade:up 0"
	}
}
`,
  );
  const both = renderNodeTable({ lab: 'demo', fw: FW, masquerade: ['eth1'] });
  assert.ok(both.startsWith(renderNodeFirewall({ lab: 'demo', fw: FW }).replace(/}\n$/, '')), 'the firewall part is unchanged');
  assert.match(
    both,
    /\tchain postrouting \{\n\t\ttype nat hook postrouting priority srcnat; policy accept;\n\t\toifname "eth1" masquerade comment "nslab:demo:masquerade:eth1"\n\t\}\n\}\n$/,
  );
  assert.equal(renderNodeTable({ lab: 'demo', fw: FW, masquerade: [] }), renderNodeFirewall({ lab: 'demo', fw: FW }));
});
