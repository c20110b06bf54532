// Zod schemas of the node fields `firewall:` (chains, rules, matches) and `publish:` (published
// ports). Value syntax comes from match-syntax.ts; rules across fields (ports only with tcp/udp,
// from/saddr not both) are in parse-firewall.ts, references to nodes and interfaces in
// validate-firewall.ts. schema.ts documents the format and puts these into the node schema.
// Chains, rules and matches carry a JSON Schema id: the editor schema defines each once.
import * as z from 'zod';
import { hostAddressProblem, portProblem, publishProblem, targetProblem } from './match-syntax.js';
import { checked, oneOrMany, patterned, port } from './schema-util.js';
import { syntaxRef } from './syntax-patterns.js';

const TARGETS = 'must be a CIDR, an address or a node name, or a list of them';
function target(description: string): z.ZodOptional<z.ZodType<string | string[]>> {
  const one = checked(TARGETS, targetProblem, 'target').describe('A subnet such as 10.9.0.0/16, an address, or a node name (all its addresses).');
  return oneOrMany(one, TARGETS).optional().describe(description);
}

/** The JSON Schema of one port: zod's check is portProblem, which a schema can only restate. */
const PORT_JSON = [
  { type: 'integer', minimum: 1, maximum: 65535, description: 'A port, 1 to 65535.' },
  { type: 'string', ...syntaxRef('portText'), description: 'A port or a "LO-HI" range such as "8000-8080".' },
];

/** A port, a "LO-HI" range, or a non-empty list of them; each bad item is reported at itself. */
function ports(description: string): z.ZodOptional<z.ZodType<number | string | (number | string)[]>> {
  const checkedPorts = z
    .unknown()
    .superRefine((v, ctx) => {
      if (!Array.isArray(v)) {
        const p = portProblem(v);
        if (p !== undefined) ctx.addIssue({ code: 'custom', message: p, input: v });
        return;
      }
      if (v.length === 0) ctx.addIssue({ code: 'custom', message: 'must list at least one port', input: v });
      v.forEach((item, i) => {
        const p = portProblem(item);
        if (p !== undefined) ctx.addIssue({ code: 'custom', message: p, input: item, path: [i] });
      });
    })
    .meta({
      description,
      anyOf: [...PORT_JSON, { type: 'array', minItems: 1, items: { anyOf: PORT_JSON }, description: 'A list of ports and ranges.' }],
    }) as z.ZodType<number | string | (number | string)[]>;
  return checkedPorts.optional();
}

const STATES = "must be 'new', 'established', 'related' or 'invalid', or a list of them";
const state = z.enum(['new', 'established', 'related', 'invalid'], { error: STATES }).describe('A conntrack state: new, established, related or invalid.');
const iface = (description: string): z.ZodOptional<z.ZodString> =>
  patterned("must be the name of one of the node's interfaces", 'ifaceName').optional().describe(description);

/** The match keys of a rule; every given match must hold. */
export const matchFields = {
  proto: z
    .enum(['tcp', 'udp', 'icmp', 'icmpv6'], { error: "must be 'tcp', 'udp', 'icmp' or 'icmpv6'" })
    .optional()
    .describe('The protocol: tcp, udp, icmp or icmpv6 (sport/dport need tcp or udp).'),
  from: target('Source: a subnet, an address or a node name, or a list of them.'),
  to: target('Destination: a subnet, an address or a node name, or a list of them.'),
  saddr: target('Source, as nftables calls it (the same as from:).'),
  daddr: target('Destination, as nftables calls it (the same as to:).'),
  sport: ports('Source port(s): a port, a "LO-HI" range, or a list of them (needs proto tcp or udp).'),
  dport: ports('Destination port(s): a port, a "LO-HI" range, or a list of them (needs proto tcp or udp).'),
  state: z
    .union([state, z.array(state, { error: STATES }).min(1, { error: STATES }).describe('Any of these states.')], { error: STATES })
    .optional()
    .describe('Conntrack state(s): new, established, related, invalid, or a list of them.'),
  iif: iface('The interface of this node the packet came in on.'),
  oif: iface('The interface of this node the packet leaves through.'),
};

/** An `allow:` or `deny:` item: a match, the action implied by the list. */
export const matchSchema = z
  .strictObject(matchFields, { error: 'must be a mapping such as { proto: tcp, dport: 22 }' })
  .meta({ id: 'match', description: 'A match: every key given must hold, such as { proto: tcp, dport: 22, from: web }.' });

/** A `rules:` item: an action and a match. */
export const ruleSchema = z
  .strictObject(
    {
      action: z
        .enum(['accept', 'drop', 'reject'], { error: "must be 'accept', 'drop' or 'reject'" })
        .describe('What to do with a packet that matches: accept, drop or reject.'),
      ...matchFields,
    },
    { error: 'must be a mapping such as { action: accept, proto: tcp, dport: 22 }' },
  )
  .meta({ id: 'rule', description: 'A rule: an action and a match, such as { action: accept, proto: tcp, dport: 22 }.' });

/** `firewall.input` / `forward` / `output`. */
export const chainSchema = z
  .strictObject(
    {
      policy: z
        .enum(['accept', 'drop'], { error: "must be 'accept' or 'drop'" })
        .optional()
        .describe('What happens to a packet no rule decided: accept (default) or drop.'),
      established: z
        .boolean({ error: 'must be true or false' })
        .optional()
        .describe("Accept established and related packets before any rule (default true): replies to the node's own traffic pass."),
      rules: z
        .array(ruleSchema, { error: 'must be a list of rules' })
        .nullable()
        .optional()
        .describe('Ordered rules, each an action and a match; evaluated before deny: and allow:.'),
      deny: z
        .array(matchSchema, { error: 'must be a list of matches' })
        .nullable()
        .optional()
        .describe('Shorthand: drop packets matching any of these (after rules:, before allow:).'),
      allow: z
        .array(matchSchema, { error: 'must be a list of matches' })
        .nullable()
        .optional()
        .describe('Shorthand: accept packets matching any of these (after rules: and deny:).'),
    },
    { error: 'must be a mapping such as { policy: drop, allow: [ { proto: icmp } ] }' },
  )
  .meta({ id: 'chain', description: 'A base chain: its policy, then rules:, deny: and allow: in that order.' });

/** A chain with its rule lists left open (each rule is checked on its own). */
export const chainShell = chainSchema.extend({
  rules: z.array(z.unknown(), { error: 'must be a list of rules' }).nullable().optional(),
  deny: z.array(z.unknown(), { error: 'must be a list of matches' }).nullable().optional(),
  allow: z.array(z.unknown(), { error: 'must be a list of matches' }).nullable().optional(),
});

/** The hooks a firewall may declare, in the order they are built. */
export const CHAINS = ['input', 'forward', 'output'] as const;

/** `nodes.NAME.firewall`. */
export const firewallSchema = z
  .strictObject(
    {
      input: chainSchema.nullable().optional().describe('The chain for packets addressed to the node.'),
      forward: chainSchema.nullable().optional().describe('The chain for packets the node routes (with forwarding: true).'),
      output: chainSchema.nullable().optional().describe('The chain for packets the node sends.'),
    },
    { error: 'must be a mapping of chains such as { input: { policy: drop } }' },
  )
  .describe('nftables chains inside the node (table inet nslab-<lab>): input, forward, output.');

/** The firewall with its chains left open (each chain is checked on its own). */
export const firewallShell = firewallSchema.extend({
  input: z.unknown().optional(),
  forward: z.unknown().optional(),
  output: z.unknown().optional(),
});

/** A `publish:` item as a mapping. */
export const publishMapSchema = z
  .strictObject(
    {
      host: port.describe('The port on the host.'),
      node: port.describe('The port in the node it is forwarded to.'),
      proto: z.enum(['tcp', 'udp'], { error: "must be 'tcp' or 'udp'" }).optional().describe('tcp (default) or udp.'),
      address: checked('must be an IPv4 address of the host such as 127.0.0.1', hostAddressProblem, 'hostAddress')
        .optional()
        .describe('Publish only on this IPv4 address of the host (default: all of them).'),
    },
    { error: 'must be "HOSTPORT:NODEPORT[/PROTO]" or a mapping such as { host: 8080, node: 80 }' },
  )
  .describe('A published port as a mapping, such as { host: 8080, node: 80, proto: tcp }.');

/** A `publish:` item as a docker-style string. */
export const publishTextSchema = checked('must be "HOSTPORT:NODEPORT[/PROTO]" such as "8080:80/tcp"', publishProblem, 'publish').describe(
  'A published port like docker run -p: "HOSTPORT:NODEPORT", optionally "HOSTADDR:" before and "/tcp" or "/udp" after.',
);

/** `nodes.NAME.publish[i]`. */
export const publishSchema = z
  .union([publishTextSchema, publishMapSchema], { error: 'must be "HOSTPORT:NODEPORT[/PROTO]" or a mapping such as { host: 8080, node: 80 }' })
  .describe('A host port forwarded to the node: "8080:80/tcp" or { host: 8080, node: 80 }.');
