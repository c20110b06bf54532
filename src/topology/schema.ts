// The v1 field tables as zod schemas: which keys each mapping allows, their types and their
// value syntax. Cross-field and cross-entity rules live in validate*.ts. The same schemas give
// the JSON Schema for editors (topologyJsonSchema). Error texts are the "must be ..." halves of
// messages; schema-issues.ts adds the context and the offending value.
//
// Extensions of the v1 contract (firewall and publish schemas are in schema-firewall.ts):
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

function text(expect: string): z.ZodString {
  return z.string({ error: expect });
}

/** A string whose syntax `problem` checks; the problem text becomes the message. */
function checked(expect: string, problem: (s: string) => string | undefined): z.ZodType<string> {
  return text(expect).superRefine((s, ctx) => {
    const p = problem(s);
    if (p !== undefined) ctx.addIssue({ code: 'custom', message: p, input: s });
  });
}

/** One value or a non-empty list of them. */
function oneOrMany(item: z.ZodType<string>, expect: string): z.ZodType<string | string[]> {
  return z.union([item, z.array(item, { error: expect }).min(1, { error: expect })], { error: expect });
}

function intRange(lo: number, hi: number): z.ZodType<number> {
  const m = `must be a whole number from ${lo} to ${hi}`;
  return z.int({ error: m }).min(lo, { error: m }).max(hi, { error: m });
}

function looseMap(expect: string): z.ZodType<Record<string, unknown> | null> {
  return z.record(z.string(), z.unknown(), { error: expect }).nullable();
}

const bool = z.boolean({ error: 'must be true or false' });
const port = intRange(1, 65535);
const SUBNETS = 'must be a subnet such as 10.0.0.0/24, or a list of them';
const ADDRESSES = 'must be an address such as 10.0.0.1, or a list of them';
const CIDRS = 'must be an address with prefix length such as 10.0.0.1/24, or a list of them';

/** `networks.NAME`. */
export const networkSchema = z.strictObject({
  subnet: oneOrMany(checked(SUBNETS, subnetProblem), SUBNETS),
  gateway: oneOrMany(checked(ADDRESSES, addressProblem), ADDRESSES).optional(),
  nat: bool.optional(),
}, { error: 'must be a mapping such as { subnet: 10.0.0.0/24 }' });

/** `nodes.NAME.interfaces.IFNAME`. */
export const interfaceSchema = z.strictObject({
  network: text('must be the name of a network').optional(),
  peer: checked('must be the other end as "NODE:IFACE"', endpointProblem).optional(),
  host: z.literal(true, { error: 'must be true (a veth to the host namespace); leave it out otherwise' }).optional(),
  host_address: oneOrMany(checked(CIDRS, cidrProblem), CIDRS).optional(),
  address: oneOrMany(checked(CIDRS, addressOrCidrProblem), CIDRS).optional(),
  mtu: intRange(68, 65535).optional(),
}, { error: 'must be a mapping such as { network: lan } or { peer: "r1:eth1" }' });

/** `nodes.NAME.routes[i]`. */
export const routeSchema = z.strictObject({
  to: checked("must be a destination such as 10.9.0.0/16, or 'default'", destinationProblem),
  via: checked('must be a next-hop address such as 10.0.0.1', addressProblem).optional(),
  dev: text('must be the name of one of the node\'s interfaces').optional(),
}, { error: 'must be a mapping such as { to: default, via: 10.0.0.1 }' });

/** Text handed to exec(2) or the environment: a NUL would end it early (and Node refuses it). */
function noNul(s: string): string | undefined {
  return s.includes('\0') ? 'it contains a NUL character, which a command line, an environment or a path cannot carry' : undefined;
}

const word = checked('must be text', noNul);
const ARGV = 'must be a command line or a non-empty list of its words';
const argv = z.union([word, z.array(word, { error: ARGV }).min(1, { error: ARGV })], { error: ARGV });
const envName = checked('must be a variable name', (s) => (s === '' || s.includes('=') ? 'variable names are not empty and have no =' : noNul(s)));
const envValue = z.union([word, z.number(), z.boolean()], { error: 'must be text, a number or true/false' }).transform(String);

/** `nodes.NAME.processes[i]`. */
export const processSchema = z.strictObject({
  name: checked('must be a process name such as http', processNameProblem).optional(),
  command: argv,
  env: z.record(envName, envValue, { error: 'must be a mapping of variable names to values' }).optional(),
  cwd: checked('must be a directory', noNul).optional(),
  user: checked('must be a user name or number', (s) => (s === '' ? 'it is empty' : noNul(s))).optional(),
  ready: z.union([
    z.strictObject({ tcp: port }),
    z.strictObject({ command: argv }),
  ], { error: 'must be { tcp: PORT } or { command: [...] }' }).optional(),
  ready_timeout: intRange(1, 3600).optional(),
}, { error: 'must be a mapping such as { name: http, command: [busybox, httpd, -f] }' });

/** A process name: it becomes part of a log file name. */
function processNameProblem(s: string): string | undefined {
  return /^[a-z][a-z0-9_-]{0,31}$/.test(s) ? undefined : 'process names are 1 to 32 characters of a-z, 0-9, - and _, starting with a letter';
}

/** `nodes.NAME`. */
export const nodeSchema = z.strictObject({
  interfaces: z.record(z.string(), interfaceSchema).nullable().optional(),
  routes: z.array(routeSchema).nullable().optional(),
  forwarding: bool.optional(),
  isolate: z.array(z.enum(['pid', 'mount', 'uts'], { error: "must be 'pid', 'mount' or 'uts'" }), { error: 'must be a list such as [pid, mount, uts]' }).optional(),
  hostname: checked('must be a host name', hostnameProblem).optional(),
  firewall: firewallSchema.optional(),
  publish: z.array(publishSchema, { error: 'must be a list of published ports such as ["8080:80"]' }).nullable().optional(),
  processes: z.array(processSchema, { error: 'must be a list of processes' }).optional(),
  netns_of: z.int({ error: 'must be a process ID (a positive whole number)' }).min(1, { error: 'must be a process ID (a positive whole number)' }).max(4194304, { error: 'must be a process ID (a positive whole number)' }).optional(),
}, { error: 'must be a mapping such as { interfaces: { eth0: { network: lan } } }' });

/** `expect[i]`. */
export const expectSchema = z.strictObject({
  from: text('must be a node name'),
  to: text('must be a node name, NODE:IFACE, or an address'),
  reach: bool.optional(),
  tcp: port.optional(),
  udp: port.optional(),
}, { error: 'must be a mapping such as { from: web, to: db }' });

/** The whole file. */
export const topologySchema = z.strictObject({
  name: text('must be the lab name, such as demo'),
  networks: z.record(z.string(), networkSchema).nullable().optional(),
  nodes: z.record(z.string(), nodeSchema).nullable(),
  expect: z.array(expectSchema).nullable().optional(),
}, { error: 'must be a mapping with name:, networks: and nodes:' });

/** The top level with the per-entity parts left open: parse.ts checks each entity on its own. */
export const topShell = topologySchema.extend({
  networks: looseMap('must be a mapping of network names to networks').optional(),
  nodes: looseMap('must be a mapping of node names to nodes'),
  expect: z.array(z.unknown(), { error: 'must be a list of expectations' }).nullable().optional(),
});

/** A node with its interfaces, routes, firewall and published ports left open (checked one by one). */
export const nodeShell = nodeSchema.extend({
  interfaces: looseMap('must be a mapping of interface names to interfaces').optional(),
  routes: z.array(z.unknown(), { error: 'must be a list of routes' }).nullable().optional(),
  firewall: z.unknown().optional(),
  publish: z.array(z.unknown(), { error: 'must be a list of published ports such as ["8080:80"]' }).nullable().optional(),
});

/** JSON Schema (draft 2020-12) of the file, for editor completion; value syntax is not in it. */
export function topologyJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(topologySchema, { unrepresentable: 'any' }) as Record<string, unknown>;
}
