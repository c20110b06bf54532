#!/usr/bin/env node
// Print a chain of N routers r1 - r2 - ... - rN, each pair joined by a point-to-point veth with a
// /30, forwarding on, and static routes so that every router reaches both ends of the chain:
// r_i routes the far side through its neighbours. usage: gen-chain.mjs N [NAME]
const n = Number(process.argv[2] ?? 10);
const name = process.argv[3] ?? 'chain';
// link i joins r_i (.1) and r_{i+1} (.2) in 10.(100 + i>>6).((i&63)<<2)/30
const net = (i) => `10.${100 + (i >> 6)}.${(i & 63) << 2}`;
const lines = [`name: ${name}`, 'nodes:'];
for (let r = 1; r <= n; r++) {
  lines.push(`  r${r}:`, '    forwarding: true', '    interfaces:');
  if (r > 1) lines.push(`      left: { peer: r${r - 1}:right, address: ${net(r - 1)}.2/30 }`);
  if (r < n) lines.push(`      right: { peer: r${r + 1}:left, address: ${net(r)}.1/30 }`);
  const routes = [];
  // Towards the start: the link networks left of the left neighbour, via it.
  if (r > 2) routes.push(`{ to: 10.100.0.0/14, via: ${net(r - 1)}.1 }`);
  // Towards the end, more specific: each link network right of the right neighbour, via it.
  for (let k = r + 1; k < n; k++) routes.push(`{ to: ${net(k)}.0/30, via: ${net(r)}.2 }`);
  if (routes.length > 0) lines.push(`    routes: [${routes.join(', ')}]`);
}
process.stdout.write(lines.join('\n') + '\n');
