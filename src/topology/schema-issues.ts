// zod issues -> findings: each pointed at the most specific YAML node (the offending value, or
// the key for unknown keys, or the parent mapping for a missing key) and worded for people.
import type * as z from 'zod';
import { IssueCode } from './issues.js';
import type { Finding } from './issues.js';
import { keySpanAt, spanAt } from './tree.js';
import type { Path, SNode } from './tree.js';
import { closest, describeValue, quote } from './text.js';

type ZodIssue = z.core.$ZodIssue;

/** The entity a schema checked, as messages name it. */
export interface Entity {
  /** Its YAML node (paths of zod issues are relative to it). */
  readonly node: SNode;
  /** How messages name it: "network 'lan'", "interface 'a:eth0'". */
  readonly what: string;
  /** Where unknown keys are: "in network 'lan'", "at the top level". */
  readonly where: string;
  /** The keys its mapping allows, for did-you-mean. */
  readonly keys: readonly string[];
  /** Field messages start with the field alone ("name must be ...") rather than `what: `. */
  readonly bare?: boolean;
}

/** Findings for the issues of one schema check of `entity`. */
export function schemaFindings(issues: readonly ZodIssue[], entity: Entity): Finding[] {
  const flat = issues.flatMap((i) => flatten(i, []));
  const unknown = flat.filter((i) => i.code === 'unrecognized_keys');
  const suggested = new Set(unknown.flatMap((i) => i.keys.map((k) => `${i.path.join('.')}|${suggestFor(k, i.path, entity) ?? ''}`)));
  const out: Finding[] = [];
  for (const i of flat) {
    if (i.code === 'unrecognized_keys') out.push(...unknownKeys(i.keys, i.path, entity));
    else if (i.code === 'invalid_key') out.push(badKey(i, entity));
    else if (i.input === undefined && i.path.length > 0) {
      // A typo such as `subnett:` already says "did you mean 'subnet'?": no second message.
      if (!suggested.has(`${i.path.slice(0, -1).join('.')}|${String(i.path.at(-1))}`)) out.push(missing(i.path, entity));
    } else out.push(valueFinding(i, entity));
  }
  return out;
}

type Flat = ZodIssue & { readonly path: Path };

/** Unions: report the branch that matches the input's shape (a list, or a single value). */
function flatten(i: ZodIssue, prefix: Path): Flat[] {
  const path = [...prefix, ...i.path];
  if (i.code !== 'invalid_union') return [{ ...i, path }];
  const branch = Array.isArray(i.input) ? i.errors[1] : typeof i.input === 'string' ? i.errors[0] : undefined;
  if (!branch || branch.length === 0 || i.input === undefined) return [{ ...i, path }];
  return branch.flatMap((b) => flatten({ ...b, input: 'input' in b ? b.input : i.input } as ZodIssue, path));
}

function unknownKeys(keys: readonly string[], path: Path, e: Entity): Finding[] {
  return keys.map((k) => {
    const hint = suggestFor(k, path, e);
    const where = path.length === 0 ? e.where : `in ${prefix(e)}${label(path)}`;
    if (k === '<<') {
      const message = `YAML merge keys ('<<') are not supported ${where}: write the keys out, or use an alias (*name) for the whole value`;
      return { span: keySpanAt(e.node, path, k), code: IssueCode.UnknownKey, message };
    }
    return {
      span: keySpanAt(e.node, path, k),
      code: IssueCode.UnknownKey,
      message: `unknown key ${quote(k)} ${where}${hint === undefined ? '' : ` (did you mean '${hint}'?)`}`,
    };
  });
}

/** Words people reach for (from iproute2, docker, netplan) and the key this format uses. */
const SYNONYMS: Readonly<Record<string, string | readonly string[]>> = {
  gw: 'via',
  gateway: 'via',
  nexthop: 'via',
  dst: 'to',
  dest: 'to',
  destination: 'to',
  device: 'dev',
  ip: 'address',
  addr: 'address',
  addresses: 'address',
  ips: 'address',
  subnets: 'subnet',
  cidr: 'subnet',
  prefix: 'subnet',
  gateways: 'gateway',
  net: 'network',
  bridge: 'network',
  link: 'peer',
  ifaces: 'interfaces',
  links: 'interfaces',
  route: 'routes',
  ports: ['publish', 'dport'],
  fwd: 'forward',
  in: 'input',
  out: 'output',
  src: 'from',
  source: 'from',
  protocol: 'proto',
  port: 'dport',
  accept: 'allow',
  permit: 'allow',
  drop: 'deny',
  rule: 'rules',
  default: 'policy',
  expose: 'publish',
};

function suggestFor(key: string, path: Path, e: Entity): string | undefined {
  if (path.length > 0) return undefined;
  const k = key.toLowerCase();
  const synonyms = Object.hasOwn(SYNONYMS, k) ? SYNONYMS[k]! : [];
  return (typeof synonyms === 'string' ? [synonyms] : synonyms).find((s) => e.keys.includes(s)) ?? closest(key, e.keys);
}

function prefix(e: Entity): string {
  return e.bare ? '' : `${e.what}: `;
}

/** A mapping key its schema refuses (such as an env variable name): reported at the key. */
function badKey(i: Flat & { readonly code: 'invalid_key' }, e: Entity): Finding {
  const parent = i.path.slice(0, -1);
  const key = String(i.path.at(-1));
  const why = i.issues.map((n) => n.message).join('; ');
  return { span: keySpanAt(e.node, parent, key), code: IssueCode.BadValue, message: `${prefix(e)}invalid ${label(parent)} key ${quote(key)}: ${why}` };
}

function missing(path: Path, e: Entity): Finding {
  const parent = path.slice(0, -1);
  const owner = parent.length === 0 ? e.what : `${prefix(e)}${label(parent)}`;
  return { span: spanAt(e.node, parent), code: IssueCode.MissingKey, message: `${owner} is missing required key '${String(path.at(-1))}'` };
}

function valueFinding(i: Flat, e: Entity): Finding {
  const span = spanAt(e.node, i.path);
  const head = i.path.length === 0 ? e.what : `${prefix(e)}${label(i.path)}`;
  if (i.code === 'custom') {
    const subject = i.path.length === 0 ? e.what : `${prefix(e)}invalid ${label(i.path)}`;
    return { span, code: IssueCode.BadValue, message: `${subject} ${describeValue(i.input)}: ${i.message}` };
  }
  return { span, code: IssueCode.BadValue, message: `${head} ${i.message} (got ${describeValue(i.input)})` };
}

/** "subnet", "address #2", "processes #1 command". */
function label(path: Path): string {
  return path.map((s) => (typeof s === 'number' ? `#${s + 1}` : String(s))).join(' ');
}
