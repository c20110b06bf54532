// The only importer of the YAML parser: file text -> SNode tree with 1-based line:col spans.
// Hostile input (syntax errors, alias bombs, deep nesting, odd keys) becomes findings, never a
// throw. Nothing here knows the topology format; schema checks happen in parse.ts.
import { LineCounter, isAlias, isMap, isPair, isScalar, isSeq, parseDocument, stringify, visit } from 'yaml';
import type { Alias, Document, Node as YamlNode } from 'yaml';
import type { Span } from './types.js';
import { MAX_DEPTH, MAX_NODES } from './limits.js';
import { IssueCode } from './issues.js';
import type { Finding } from './issues.js';
import { escapeChar, quote } from './text.js';
import type { SEntry, SNode, ScalarValue } from './tree.js';

export { MAX_DEPTH, MAX_NODES } from './limits.js';
/** yaml's guard against exponential alias expansion ("billion laughs"). */
export const MAX_ALIAS_COUNT = 100;
/** Parser messages quote the offending text; a long excerpt is cut. */
const MAX_MESSAGE = 160;

/** The tree of a YAML text, or the findings that stopped it. */
export interface Source {
  readonly root?: SNode;
  readonly findings: readonly Finding[];
}

interface Walk {
  readonly doc: Document.Parsed;
  readonly lc: LineCounter;
  readonly findings: Finding[];
  nodes: number;
  stopped: boolean;
}

/** Parse YAML text into an SNode tree; any YAML error yields findings and no root. */
export function parseSource(text: string): Source {
  const lc = new LineCounter();
  let doc: Document.Parsed;
  try {
    // uniqueKeys: false because yaml's check is quadratic in the size of a mapping (5000 nodes
    // take half a second); entries() finds duplicates with a Map instead.
    doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: false });
  } catch (e) {
    return { findings: [{ span: { line: 1, col: 1 }, code: IssueCode.YamlSyntax, message: `cannot parse the file as YAML (${String(e)})` }] };
  }
  const findings = yamlFindings(doc, lc);
  // The alias check converts the whole document once more: skipped when no alias can be there.
  if (findings.length === 0 && text.includes('*')) findings.push(...aliasBomb(doc, lc));
  if (findings.length > 0) return { findings };
  const w: Walk = { doc, lc, findings, nodes: 0, stopped: false };
  const root = build(w, doc.contents, { line: 1, col: 1 }, 0);
  return w.findings.length > 0 ? { findings: w.findings } : { root, findings: [] };
}

function yamlFindings(doc: Document.Parsed, lc: LineCounter): Finding[] {
  const seen = new Set<string>();
  const out: Finding[] = [];
  // Deep nesting makes yaml report the same error once per level: keep one of each kind.
  for (const e of doc.errors) {
    if (seen.has(e.code + e.message)) continue;
    seen.add(e.code + e.message);
    out.push(
      e.code === 'RESOURCE_EXHAUSTION'
        ? { span: spanOf(lc, e.pos[0]), code: IssueCode.YamlLimit, message: 'values are nested too deeply for the YAML parser' }
        : { span: spanOf(lc, e.pos[0]), code: IssueCode.YamlSyntax, message: yamlMessage(e.code, e.message) },
    );
  }
  return out;
}

/** The parser's message for people: no parser API names, no raw control characters, not too long. */
function yamlMessage(code: string, message: string): string {
  if (code === 'MULTIPLE_DOCS') return 'a second YAML document starts here (after a --- or ... line); a topology file holds exactly one document';
  const safe = message.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, (c) => escapeChar(c));
  const cut = safe.length > MAX_MESSAGE ? `${safe.slice(0, MAX_MESSAGE)}...` : safe;
  return `invalid YAML: ${lowerFirst(cut)}`;
}

function aliasBomb(doc: Document.Parsed, lc: LineCounter): Finding[] {
  try {
    // mapAsMap: plain-object conversion would warn on stderr about collection keys.
    doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT, mapAsMap: true });
    return [];
  } catch (e) {
    if (!(e instanceof ReferenceError) || !/excessive alias/i.test(e.message)) return [];
    let span: Span = { line: 1, col: 1 };
    visit(doc, {
      Alias(_, n) {
        if (n.range) span = spanOf(lc, n.range[0]);
        return visit.BREAK;
      },
    });
    const message = `aliases expand to too much data (more than ${MAX_ALIAS_COUNT} uses per anchor): refusing a possible alias bomb`;
    return [{ span, code: IssueCode.YamlLimit, message }];
  }
}

function build(w: Walk, n: unknown, at: Span, depth: number): SNode {
  const span = n && typeof n === 'object' && 'range' in n ? (rangeSpan(w, n as YamlNode) ?? at) : at;
  if (w.stopped) return nullAt(span);
  if (depth > MAX_DEPTH) return halt(w, span, `values are nested more than ${MAX_DEPTH} levels deep`);
  if (++w.nodes > MAX_NODES) return halt(w, span, `more than ${MAX_NODES} values after expanding aliases`);
  if (isAlias(n)) return alias(w, n, span, depth);
  if (isMap(n)) return { kind: 'map', span, ...entries(w, n.items, span, depth) };
  if (isSeq(n)) return { kind: 'seq', span, items: n.items.map((i) => build(w, i, span, depth + 1)) };
  if (isScalar(n)) return { kind: 'scalar', span, value: scalarValue(n.value, n.source) };
  return { kind: 'scalar', span, value: null };
}

function alias(w: Walk, n: Alias, span: Span, depth: number): SNode {
  const target = n.resolve(w.doc);
  if (target === undefined) return report(w, span, `alias *${n.source} has no anchor &${n.source} before it`);
  // The aliased content keeps its own positions: problems inside it point at the anchor.
  return build(w, target, span, depth + 1);
}

function entries(w: Walk, items: readonly unknown[], at: Span, depth: number): { entries: SEntry[]; byKey: Map<string, SEntry> } {
  const list: SEntry[] = [];
  const byKey = new Map<string, SEntry>();
  for (const p of items) {
    if (!isPair(p)) continue;
    const keySpan = rangeSpan(w, p.key as YamlNode) ?? at;
    const key = keyText(w, p.key);
    if (key === undefined) {
      report(w, keySpan, 'keys must be plain names, not mappings or lists');
      continue;
    }
    const first = byKey.get(key);
    if (first) {
      report(w, keySpan, `duplicate key ${quote(key)} (the first is at line ${first.keySpan.line}); each key may appear once in a mapping`);
      continue;
    }
    const e: SEntry = { key, keySpan, value: build(w, p.value, keySpan, depth + 1) };
    list.push(e);
    byKey.set(key, e);
  }
  return { entries: list, byKey };
}

function keyText(w: Walk, k: unknown): string | undefined {
  const target = isAlias(k) ? k.resolve(w.doc) : k;
  if (target === null || target === undefined) return '';
  if (!isScalar(target)) return undefined;
  // Non-string keys keep their source spelling (`1e3:` stays "1e3", `~:` stays "~").
  if (typeof target.value === 'string') return target.value;
  return typeof target.source === 'string' ? target.source : String(target.value);
}

function scalarValue(v: unknown, source: unknown): ScalarValue {
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  return typeof source === 'string' ? source : String(v);
}

/** Record a problem with one value and carry on with the rest. */
function report(w: Walk, span: Span, message: string): SNode {
  w.findings.push({ span, code: IssueCode.YamlSyntax, message });
  return nullAt(span);
}

/** Record a resource limit and stop walking: the rest of the tree is not worth reading. */
function halt(w: Walk, span: Span, message: string): SNode {
  w.findings.push({ span, code: IssueCode.YamlLimit, message });
  w.stopped = true;
  return nullAt(span);
}

function nullAt(span: Span): SNode {
  return { kind: 'scalar', span, value: null };
}

function rangeSpan(w: Walk, n: YamlNode | null | undefined): Span | undefined {
  const r = n?.range;
  return r ? spanOf(w.lc, r[0]) : undefined;
}

function spanOf(lc: LineCounter, offset: number): Span {
  const p = lc.linePos(offset);
  return { line: p.line, col: p.col };
}

function lowerFirst(s: string): string {
  return s.length > 1 && /^[A-Z][a-z]/.test(s) ? s[0]!.toLowerCase() + s.slice(1) : s;
}

/**
 * A plain value (a topology given as an object by a library caller) as YAML text, so that it goes
 * through the same parser and checks as a file, and its issues point at lines of this text.
 */
export function toYamlText(value: unknown): string {
  return stringify(value, { aliasDuplicateObjects: false, lineWidth: 0 });
}
