// The three-router triangle (r1, r2, r3 on point-to-point /24s, h3 behind r3) that the routing
// tests share: multipath and daemon routes in `show`, link-down stops in `trace`. Each test adds
// the static routes it needs, as YAML list items per router.
export function triangle(
  routes: { readonly r1?: readonly string[]; readonly r2?: readonly string[]; readonly r3?: readonly string[] } = {},
  name = 'tri',
): string {
  const r = (list: readonly string[] | undefined): string => (list && list.length > 0 ? `\n    routes:\n${list.map((x) => `      - ${x}`).join('\n')}` : '');
  return `
name: ${name}
nodes:
  r1:
    forwarding: true
    interfaces:
      eth0: { peer: "r2:eth0", address: 10.0.12.1/24 }
      eth1: { peer: "r3:eth0", address: 10.0.13.1/24 }${r(routes.r1)}
  r2:
    forwarding: true
    interfaces:
      eth0: { peer: "r1:eth0", address: 10.0.12.2/24 }
      eth1: { peer: "r3:eth1", address: 10.0.23.2/24 }${r(routes.r2)}
  r3:
    forwarding: true
    interfaces:
      eth0: { peer: "r1:eth1", address: 10.0.13.3/24 }
      eth1: { peer: "r2:eth1", address: 10.0.23.3/24 }
      eth2: { peer: "h3:eth0", address: 10.0.3.1/24 }${r(routes.r3)}
  h3:
    interfaces:
      eth0: { peer: "r3:eth2", address: 10.0.3.10/24 }
    routes:
      - { to: default, via: 10.0.3.1 }
`;
}
