// The v1 field tables as zod schemas: which keys each mapping allows, their types and their
// value syntax. Cross-field and cross-entity rules live in validate*.ts. The same schemas give
// the JSON Schema for editors (schema-json.ts), so every field has a description here. Error
// texts are the "must be ..." halves of messages; schema-issues.ts adds the context and the
// offending value.
//
// Extensions of the v1 contract (firewall and publish schemas are in schema-firewall.ts,
// processes in schema-process.ts):
//
//   networks.NAME.nat: true|false    masquerade the network's subnets when they leave through
//                                    the host (and forward in the host namespace); default false
//
//   nodes.NAME.firewall:             nftables base chains inside the node; keys input, forward,
//     input:                         output (any other key is an error). Per chain:
//       policy: drop                 accept (default) or drop: what no rule decided
//       established: true            default true: accept established/related packets first
//       rules:                       ordered rules, each an action and a match:
//         - { action: reject, proto: tcp, dport: 23 }       action accept, drop or reject
//       deny:  [ { from: 10.9.0.0/16 } ]                    shorthand: each match, action drop
//       allow: [ { proto: icmp }, { proto: tcp, dport: 22, from: web } ]   action accept
//                                    order when several are given: rules, then deny, then allow
//     A match (every given key must hold):
//       proto: tcp|udp|icmp|icmpv6
//       from / to (alias saddr / daddr): a CIDR, an address, a node name (all of that node's
//         addresses, as /32 or /128), or a list of those
//       sport / dport: a port, a "LO-HI" range, or a list of those (1..65535; needs proto tcp/udp)
//       state: new|established|related|invalid, or a list of them
//       iif / oif: an interface of this node
//
//   nodes.NAME.publish:              host ports forwarded to the node (like docker run -p), to
//     - "8080:80"                    the node's first IPv4 address; HOSTPORT:NODEPORT, tcp
//     - "127.0.0.1:5353:53/udp"      only on this host address, udp
//     - { host: 8443, node: 443, proto: tcp, address: 127.0.0.1 }   the same as a mapping
//                                    a host port+proto is published at most once per lab
import * as z from 'zod';
import { addressOrCidrProblem, addressProblem, cidrProblem, destinationProblem, subnetProblem } from './address-syntax.js';
import { endpointProblem, hostnameProblem } from './name-rules.js';
import { firewallSchema, publishSchema } from './schema-firewall.js';
import { duration } from './duration.js';
import { execSchema, fileSchema } from './schema-files.js';
import { processSchema } from './schema-process.js';
import { impairKeys } from './schema-impair.js';
import { bool, checked, intRange, oneOrMany, patterned, port } from './schema-util.js';

function looseMap(expect: string): z.ZodType<Record<string, unknown> | null> {
  return z.record(z.string(), z.unknown(), { error: expect }).nullable();
}

const SUBNETS = 'must be a subnet such as 10.0.0.0/24, or a list of them';
const ADDRESSES = 'must be an address such as 10.0.0.1, or a list of them';
const CIDRS = 'must be an address with prefix length such as 10.0.0.1/24, or a list of them';

/** `networks.NAME`. */
export const networkSchema = z
  .strictObject(
    {
      subnet: oneOrMany(checked(SUBNETS, subnetProblem, 'subnet').describe('A subnet such as 10.0.0.0/24 or fd00::/64 (no host bits set).'), SUBNETS).describe(
        'The subnet(s) of the network: node addresses are allocated from them and must lie in them.',
      ),
      gateway: oneOrMany(checked(ADDRESSES, addressProblem, 'address').describe('An address inside one of the subnets, without /LEN.'), ADDRESSES)
        .optional()
        .describe("The bridge's own address(es) in the host namespace; nodes on the network get a default route via it."),
      nat: bool.optional().describe("Masquerade the network's subnets when they leave through the host, and turn on forwarding in the host (default false)."),
      vni: intRange(1, 16777215)
        .optional()
        .describe('The VXLAN network identifier of the network when its nodes are on several machines (default: derived from the lab and network names).'),
    },
    { error: 'must be a mapping such as { subnet: 10.0.0.0/24 }' },
  )
  .describe('A network: a Linux bridge "<lab>-<network>" in the host namespace.');

/** `nodes.NAME.interfaces.IFNAME`. */
export const interfaceSchema = z
  .strictObject(
    {
      network: patterned('must be the name of a network', 'nodeName')
        .optional()
        .describe("Connect this interface to a network (its bridge), by the network's name."),
      peer: checked('must be the other end as "NODE:IFACE"', endpointProblem, 'endpoint')
        .optional()
        .describe(
          'Connect this interface straight to another node\'s interface, written "NODE:IFACE" (a point-to-point veth pair; the other end names this one back).',
        ),
      host: z
        .literal(true, { error: 'must be true (a veth to the host namespace); leave it out otherwise' })
        .optional()
        .describe('true: connect this interface by a veth to the host namespace.'),
      host_address: oneOrMany(checked(CIDRS, cidrProblem, 'cidr').describe('An address with prefix length, such as 10.1.1.2/24.'), CIDRS)
        .optional()
        .describe('With host: true, the address(es) of the host end of the veth.'),
      address: oneOrMany(
        checked(CIDRS, addressOrCidrProblem, 'addressOrCidr').describe(
          "An address such as 10.0.0.2/24; on a network, without /LEN it takes the subnet's prefix.",
        ),
        CIDRS,
      )
        .optional()
        .describe("The interface's address(es); on a network, left out means one is allocated from the subnet."),
      mtu: intRange(68, 65535).optional().describe('The MTU of the interface (68 to 65535).'),
      masquerade: bool
        .optional()
        .describe("true: traffic the node forwards out of this interface is source-NATed to the interface's address (needs forwarding: true)."),
      ...impairKeys,
    },
    { error: 'must be a mapping such as { network: lan } or { peer: "r1:eth1" }' },
  )
  .describe('An interface of the node: a veth connected to exactly one of network:, peer: or host: true.');

/** `nodes.NAME.routes[i]`. */
export const routeSchema = z
  .strictObject(
    {
      to: checked("must be a destination such as 10.9.0.0/16, or 'default'", destinationProblem, 'destination').describe(
        "The destination: a subnet such as 10.9.0.0/16, a single address (a host route), or 'default'.",
      ),
      via: checked('must be a next-hop address such as 10.0.0.1', addressProblem, 'address')
        .optional()
        .describe('The next hop: an address in a subnet the node is connected to.'),
      dev: patterned("must be the name of one of the node's interfaces", 'ifaceName')
        .optional()
        .describe('The interface of this node the route leaves through.'),
    },
    { error: 'must be a mapping such as { to: default, via: 10.0.0.1 }' },
  )
  .describe('A static route inside the node; it needs via:, dev:, or both.');

const PID = 'must be a process ID (a positive whole number)';

/** `nodes.NAME`. */
export const nodeSchema = z
  .strictObject(
    {
      interfaces: z
        .record(patterned('must be a name', 'ifaceName'), interfaceSchema)
        .nullable()
        .optional()
        .describe('The interfaces of the node by name: at most 15 bytes of A-Z a-z 0-9 _ . -, not lo.'),
      routes: z.array(routeSchema).nullable().optional().describe('Static routes inside the node, beyond the ones its networks imply.'),
      forwarding: bool.optional().describe('Turn on IP forwarding inside the node (a router). Default false.'),
      isolate: z
        .array(z.enum(['pid', 'mount', 'uts'], { error: "must be 'pid', 'mount' or 'uts'" }).describe("A namespace of the node's own: pid, mount or uts."), {
          error: 'must be a list such as [pid, mount, uts]',
        })
        .optional()
        .describe(
          "More namespaces of the node's own for its processes, like a container: pid (its first process is PID 1), mount (own /proc), uts (own hostname).",
        ),
      hostname: checked('must be a host name', hostnameProblem, 'hostname')
        .optional()
        .describe('The host name inside the node (with isolate: [uts]). Default: the node name.'),
      firewall: firewallSchema.optional(),
      publish: z
        .array(publishSchema, { error: 'must be a list of published ports such as ["8080:80"]' })
        .nullable()
        .optional()
        .describe(
          'Host ports forwarded to the node\'s first IPv4 address, like docker run -p: "8080:80", "127.0.0.1:5353:53/udp" or { host: 8080, node: 80 }.',
        ),
      files: z
        .array(fileSchema, { error: 'must be a list of files' })
        .optional()
        .describe("Files and directories placed in the node's own mount namespace before any process starts."),
      exec: z
        .array(execSchema, { error: 'must be a list of setup steps' })
        .optional()
        .describe('One-shot setup steps run in order after the network and files are in place, before the processes (or after them, per step).'),
      processes: z
        .array(processSchema, { error: 'must be a list of processes' })
        .optional()
        .describe('Long-running processes `up` starts in the node, in order, after the network is ready.'),
      machine: patterned('must be the name of a machine', 'nodeName')
        .optional()
        .describe('The machine (of `machines:`) the node is built on; left out, nslab places it.'),
      netns_of: z
        .int({ error: PID })
        .min(1, { error: PID })
        .max(4194304, { error: PID })
        .optional()
        .describe('Adopt the network namespace of this running process (such as a container started elsewhere) instead of creating one.'),
    },
    { error: 'must be a mapping such as { interfaces: { eth0: { network: lan } } }' },
  )
  .describe('A node: a network namespace "<lab>-<node>".');

/** `machines.NAME`. */
export const machineSchema = z
  .strictObject(
    {
      address: checked('must be an IPv4 address such as 192.0.2.1', addressProblem, 'address').describe(
        'The underlay address the other machines reach this one at (the VXLAN tunnel end).',
      ),
      dev: patterned('must be an interface name', 'ifaceName').optional().describe('The underlay interface the tunnels leave through.'),
      mtu: intRange(576, 65535).optional().describe("The underlay's MTU (default 1500): the lab's interfaces on shared networks get 50 bytes less."),
    },
    { error: 'must be a mapping such as { address: 192.0.2.1 }' },
  )
  .describe('A machine that builds part of the lab (`nslab up FILE --as NAME`).');

/** The longest `within:` of an expectation. */
export const EXPECT_WITHIN_MAX_MS = 3_600_000;

/** `expect[i]`. */
export const expectSchema = z
  .strictObject(
    {
      from: patterned('must be a node name', 'nodeName').describe('The node the probe is sent from.'),
      to: patterned('must be a node name, NODE:IFACE, or an address', 'expectTarget').describe(
        'What the probe is sent to: a node, "NODE:IFACE", or an address (which may be outside the lab).',
      ),
      reach: bool.optional().describe('true (default): the probe must get through; false: it must be blocked.'),
      tcp: port.optional().describe('Probe this TCP port with a connect instead of a ping.'),
      udp: port.optional().describe('Probe this UDP port with a datagram instead of a ping (a reply or a port-unreachable counts as reached).'),
      within: duration(EXPECT_WITHIN_MAX_MS, '1h')
        .optional()
        .describe('The expectation holds once it holds within this time (such as 60s for a routing protocol to converge): 500ms, 30s, 2m, 1h, or seconds.'),
    },
    { error: 'must be a mapping such as { from: web, to: db }' },
  )
  .describe('An expectation `nslab test` checks: a ping (or a TCP/UDP probe) from one node to a target.');

/** The whole file. */
export const topologySchema = z
  .strictObject(
    {
      name: patterned('must be the lab name, such as demo', 'labName').describe(
        "The lab's name: 1 to 10 of a-z 0-9 -, starting with a letter; it prefixes every kernel object's name.",
      ),
      networks: z
        .record(patterned('must be a name', 'nodeName'), networkSchema)
        .nullable()
        .optional()
        .describe('The networks (bridges) of the lab by name: 1 to 32 of a-z 0-9 -, starting with a letter.'),
      nodes: z
        .record(patterned('must be a name', 'nodeName'), nodeSchema)
        .nullable()
        .describe('The nodes (network namespaces) of the lab by name: 1 to 32 of a-z 0-9 -, starting with a letter.'),
      expect: z.array(expectSchema).nullable().optional().describe('What `nslab test` checks after `up`: reachability between nodes.'),
      machines: z
        .record(patterned('must be a name', 'nodeName'), machineSchema)
        .optional()
        .describe('The machines the lab is spread over, by name; each builds its part with `nslab up FILE --as NAME`.'),
    },
    { error: 'must be a mapping with name:, networks: and nodes:' },
  )
  .meta({ title: 'nslab topology', description: 'A virtual network built by `nslab up` from network namespaces, veth pairs and bridges.' });

/** The top level with the per-entity parts left open: parse.ts checks each entity on its own. */
export const topShell = topologySchema.extend({
  networks: looseMap('must be a mapping of network names to networks').optional(),
  nodes: looseMap('must be a mapping of node names to nodes'),
  expect: z.array(z.unknown(), { error: 'must be a list of expectations' }).nullable().optional(),
  machines: looseMap('must be a mapping of machine names to machines').optional(),
});

/** A node with its interfaces, routes, firewall, published ports, files and exec steps left open (checked one by one). */
export const nodeShell = nodeSchema.extend({
  interfaces: looseMap('must be a mapping of interface names to interfaces').optional(),
  routes: z.array(z.unknown(), { error: 'must be a list of routes' }).nullable().optional(),
  firewall: z.unknown().optional(),
  publish: z.array(z.unknown(), { error: 'must be a list of published ports such as ["8080:80"]' }).nullable().optional(),
  files: z.array(z.unknown(), { error: 'must be a list of files' }).optional(),
  exec: z.array(z.unknown(), { error: 'must be a list of setup steps' }).optional(),
});
