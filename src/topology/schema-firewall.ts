// Zod schemas of the node fields `firewall:` (chains, rules, matches) and `publish:` (published
// ports). Value syntax comes from match-syntax.ts; rules across fields (ports only with tcp/udp,
// from/saddr not both) are in parse-firewall.ts, references to nodes and interfaces in
// validate-firewall.ts. schema.ts documents the format and puts these into the node schema.
import * as z from 'zod';
import { hostAddressProblem, portProblem, publishProblem, targetProblem } from './match-syntax.js';

function checked(expect: string, problem: (s: string) => string | undefined): z.ZodType<string> {
  return z.string({ error: expect }).superRefine((s, ctx) => {
    const p = problem(s);
    if (p !== undefined) ctx.addIssue({ code: 'custom', message: p, input: s });
  });
}

function oneOrMany<T extends string>(item: z.ZodType<T>, expect: string): z.ZodType<T | T[]> {
  return z.union([item, z.array(item, { error: expect }).min(1, { error: expect })], { error: expect });
}

const TARGETS = 'must be a CIDR, an address or a node name, or a list of them';
const target = oneOrMany(checked(TARGETS, targetProblem), TARGETS);

/** A port, a "LO-HI" range, or a non-empty list of them; each bad item is reported at itself. */
const ports = z.unknown().superRefine((v, ctx) => {
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
}) as z.ZodType<number | string | (number | string)[]>;

const STATES = "must be 'new', 'established', 'related' or 'invalid', or a list of them";
const state = z.enum(['new', 'established', 'related', 'invalid'], { error: STATES });
const iface = z.string({ error: 'must be the name of one of the node\'s interfaces' });

/** The match keys of a rule; every given match must hold. */
export const matchFields = {
  proto: z.enum(['tcp', 'udp', 'icmp', 'icmpv6'], { error: "must be 'tcp', 'udp', 'icmp' or 'icmpv6'" }).optional(),
  from: target.optional(),
  to: target.optional(),
  saddr: target.optional(),
  daddr: target.optional(),
  sport: ports.optional(),
  dport: ports.optional(),
  state: z.union([state, z.array(state, { error: STATES }).min(1, { error: STATES })], { error: STATES }).optional(),
  iif: iface.optional(),
  oif: iface.optional(),
};

/** An `allow:` or `deny:` item: a match, the action implied by the list. */
export const matchSchema = z.strictObject(matchFields, { error: 'must be a mapping such as { proto: tcp, dport: 22 }' });

/** A `rules:` item: an action and a match. */
export const ruleSchema = z.strictObject({
  action: z.enum(['accept', 'drop', 'reject'], { error: "must be 'accept', 'drop' or 'reject'" }),
  ...matchFields,
}, { error: 'must be a mapping such as { action: accept, proto: tcp, dport: 22 }' });

/** `firewall.input` / `forward` / `output`. */
export const chainSchema = z.strictObject({
  policy: z.enum(['accept', 'drop'], { error: "must be 'accept' or 'drop'" }).optional(),
  established: z.boolean({ error: 'must be true or false' }).optional(),
  rules: z.array(ruleSchema, { error: 'must be a list of rules' }).nullable().optional(),
  deny: z.array(matchSchema, { error: 'must be a list of matches' }).nullable().optional(),
  allow: z.array(matchSchema, { error: 'must be a list of matches' }).nullable().optional(),
}, { error: 'must be a mapping such as { policy: drop, allow: [ { proto: icmp } ] }' });

/** A chain with its rule lists left open (each rule is checked on its own). */
export const chainShell = chainSchema.extend({
  rules: z.array(z.unknown(), { error: 'must be a list of rules' }).nullable().optional(),
  deny: z.array(z.unknown(), { error: 'must be a list of matches' }).nullable().optional(),
  allow: z.array(z.unknown(), { error: 'must be a list of matches' }).nullable().optional(),
});

/** The hooks a firewall may declare, in the order they are built. */
export const CHAINS = ['input', 'forward', 'output'] as const;

/** `nodes.NAME.firewall`. */
export const firewallSchema = z.strictObject({
  input: chainSchema.nullable().optional(),
  forward: chainSchema.nullable().optional(),
  output: chainSchema.nullable().optional(),
}, { error: 'must be a mapping of chains such as { input: { policy: drop } }' });

/** The firewall with its chains left open (each chain is checked on its own). */
export const firewallShell = firewallSchema.extend({
  input: z.unknown().optional(),
  forward: z.unknown().optional(),
  output: z.unknown().optional(),
});

const port = z.int({ error: 'must be a whole number from 1 to 65535' }).min(1, { error: 'must be a whole number from 1 to 65535' }).max(65535, { error: 'must be a whole number from 1 to 65535' });

/** A `publish:` item as a mapping. */
export const publishMapSchema = z.strictObject({
  host: port,
  node: port,
  proto: z.enum(['tcp', 'udp'], { error: "must be 'tcp' or 'udp'" }).optional(),
  address: checked('must be an IPv4 address of the host such as 127.0.0.1', hostAddressProblem).optional(),
}, { error: 'must be "HOSTPORT:NODEPORT[/PROTO]" or a mapping such as { host: 8080, node: 80 }' });

/** A `publish:` item as a docker-style string. */
export const publishTextSchema = checked('must be "HOSTPORT:NODEPORT[/PROTO]" such as "8080:80/tcp"', publishProblem);

/** `nodes.NAME.publish[i]`. */
export const publishSchema = z.union([publishTextSchema, publishMapSchema], { error: 'must be "HOSTPORT:NODEPORT[/PROTO]" or a mapping such as { host: 8080, node: 80 }' });
