// Shared steps of parse*.ts: run one schema on one entity, check a declared name, and pair
// parsed values (single or list) with the spans they were written at.
import type * as z from 'zod';
import type { Span } from './types.js';
import type { IssueSink } from './issues.js';
import { IssueCode } from './issues.js';
import { nameMessage, nameProblem } from './name-rules.js';
import type { NameKind } from './name-rules.js';
import type { Located } from './raw.js';
import { schemaFindings } from './schema-issues.js';
import type { Entity } from './schema-issues.js';
import type { SEntry, SNode } from './tree.js';
import { spanAt, toPlain } from './tree.js';

/** The entity's data if `schema` accepts it; otherwise its findings go to the sink. */
export function check<T>(schema: z.ZodType<T>, entity: Entity, sink: IssueSink): T | undefined {
  // jitless: zod's fast path compiles a parser per object shape with \`new Function\` on first use,
  // which costs more than it saves on a file parsed once per process, and is code no cache keeps.
  const r = schema.safeParse(toPlain(entity.node), { reportInput: true, jitless: true });
  if (r.success) return r.data;
  for (const f of schemaFindings(r.error.issues, entity)) sink.add(f);
  return undefined;
}

/** Whether the declared name (a mapping key) is valid; reports it at the key when not. */
export function checkName(kind: NameKind, e: SEntry, sink: IssueSink): boolean {
  const reason = nameProblem(kind, e.key);
  if (reason === undefined) return true;
  sink.error(e.keySpan, IssueCode.BadName, nameMessage(kind, e.key, reason));
  return false;
}

/** Each value of a one-or-many field, parsed, with the span of the item it came from. */
export function locatedList<T>(node: SNode, key: string, raw: string | readonly string[] | undefined, parse: (s: string) => T): Located<T>[] {
  if (raw === undefined) return [];
  if (typeof raw === 'string') return [{ value: parse(raw), span: spanAt(node, [key]) }];
  return raw.map((s, i) => ({ value: parse(s), span: spanAt(node, [key, i]) }));
}

/** A single parsed value with the span it was written at. */
export function located<T>(node: SNode, key: string, value: T): Located<T> {
  return { value, span: spanAt(node, [key]) };
}

/** The keys a zod object schema allows, for did-you-mean. */
export function keysOf(schema: { shape: Record<string, unknown> }): string[] {
  return Object.keys(schema.shape);
}

/** The warning for a field of the format that this version accepts but does not build yet. */
export function unsupported(sink: IssueSink, span: Span, field: string): void {
  sink.warn(span, IssueCode.Unsupported, `${field} is not supported yet by this version of nslab; the lab is built without it`);
}
