#!/usr/bin/env node
// Print a star topology: N hosts on one bridge (gateway 10.77.0.1/16), the same lab the
// baselines in ../shared/bench build. usage: gen-star.mjs N [NAME] [BRIDGES]
const n = Number(process.argv[2] ?? 10);
const name = process.argv[3] ?? 'star';
const bridges = Number(process.argv[4] ?? 1);
const lines = [`name: ${name}`, 'networks:'];
for (let b = 0; b < bridges; b++) lines.push(`  n${b}: { subnet: 10.${77 + b}.0.0/16, gateway: 10.${77 + b}.0.1 }`);
lines.push('nodes:');
for (let i = 1; i <= n; i++) {
  const b = (i - 1) % bridges;
  lines.push(`  h${i}: { interfaces: { eth0: { network: n${b}, address: 10.${77 + b}.${Math.floor(i / 200)}.${(i % 200) + 2}/16 } } }`);
}
process.stdout.write(lines.join('\n') + '\n');
