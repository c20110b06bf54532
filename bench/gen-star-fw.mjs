#!/usr/bin/env node
// A star of N hosts (as gen-star.mjs) where every host has a firewall and the network has NAT:
// for timing how long applying a lab's rules takes. usage: gen-star-fw.mjs N [NAME]
const n = Number(process.argv[2] ?? 10);
const name = process.argv[3] ?? 'starfw';
const fw = '{ input: { policy: drop, allow: [ { proto: icmp }, { proto: tcp, dport: 22 } ] } }';
const lines = [`name: ${name}`, 'networks:', '  n0: { subnet: 10.77.0.0/16, gateway: 10.77.0.1, nat: true }', 'nodes:'];
for (let i = 1; i <= n; i++) {
  lines.push(`  h${i}: { interfaces: { eth0: { network: n0, address: 10.77.${Math.floor(i / 200)}.${(i % 200) + 2}/16 } }, firewall: ${fw} }`);
}
process.stdout.write(lines.join('\n') + '\n');
