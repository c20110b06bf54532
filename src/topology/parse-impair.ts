// An interface's link properties (schema-impair.ts) -> ImpairRaw: values in kernel units, each
// with its position; rules local to one interface (jitter and reorder need a delay) are checked
// here, the two ends of a point-to-point link agreeing in checkPeerShapes.
import { type LinkShape, parseDuration, parseLimit, parsePercent, parseRate, shapeText } from './impair-units.js';
import { IssueCode } from './issues.js';
import type { IssueSink } from './issues.js';
import type { SNode } from './tree.js';
import { entryOf, keySpanAt } from './tree.js';
import type { Span } from './types.js';

/** What an interface declares about its link. */
export interface ImpairRaw {
  /** Both directions: what this end sends and what it receives. */
  readonly both: LinkShape;
  /** Only what this end sends, added over `both`. */
  readonly egress: LinkShape;
  /** `up: false`: the link starts cut. */
  readonly down: boolean;
  /** Position of the first shaping key (for messages about the link). */
  readonly span: Span;
}

type ShapeData = Partial<Record<'rate' | 'delay' | 'jitter' | 'loss' | 'corrupt' | 'duplicate' | 'reorder' | 'limit', string | number | undefined>>;

const FIELDS = [
  ['rate', 'rate', parseRate],
  ['delay', 'delayUs', parseDuration],
  ['jitter', 'jitterUs', parseDuration],
  ['loss', 'lossPct', parsePercent],
  ['corrupt', 'corruptPct', parsePercent],
  ['duplicate', 'duplicatePct', parsePercent],
  ['reorder', 'reorderPct', parsePercent],
  ['limit', 'limit', parseLimit],
] as const;

/** The keys of the file that set a LinkShape field, by field. */
export const SHAPE_KEY: Readonly<Record<keyof LinkShape, string>> = Object.fromEntries(FIELDS.map(([k, f]) => [f, k])) as Record<keyof LinkShape, string>;

function shapeOf(d: ShapeData | undefined): LinkShape {
  const out: Record<string, number> = {};
  if (!d) return out;
  for (const [key, field, parse] of FIELDS) {
    const v = d[key];
    if (v === undefined) continue;
    const p = parse(v);
    if (p.ok) out[field] = p.value;
  }
  return out;
}

/** Problems of one direction's shape that no single value shows, as texts naming the keys. */
export function shapeProblems(s: LinkShape): string[] {
  const out: string[] = [];
  if (s.jitterUs !== undefined && s.jitterUs > 0 && !s.delayUs) out.push('jitter: needs a delay: to vary');
  if (s.reorderPct !== undefined && s.reorderPct > 0 && !s.delayUs) out.push('reorder: needs a delay: (packets are sent ahead of the delayed others)');
  if (s.jitterUs !== undefined && s.delayUs !== undefined && s.jitterUs > s.delayUs) out.push('jitter: must not be more than delay:');
  const queued = [s.rate, s.delayUs, s.jitterUs, s.lossPct, s.corruptPct, s.duplicatePct, s.reorderPct].some((v) => v !== undefined);
  if (s.limit !== undefined && !queued) out.push('limit: is the queue of a rate: or of the emulator (delay:, loss:, ...); give one of them too');
  return out;
}

/** Read the link properties of an interface whose keys the schema accepted; undefined when none is given. */
export function parseImpair(
  d: ShapeData & { egress?: ShapeData | undefined; up?: boolean | undefined },
  n: SNode,
  what: string,
  sink: IssueSink,
): ImpairRaw | undefined {
  const both = shapeOf(d);
  const egress = shapeOf(d.egress);
  const down = d.up === false;
  if (Object.keys(both).length === 0 && Object.keys(egress).length === 0 && !down) return undefined;
  const first = FIELDS.find(([k]) => d[k] !== undefined)?.[0] ?? (d.egress !== undefined ? 'egress' : 'up');
  const span = keySpanAt(n, [], first);
  for (const p of shapeProblems({ ...both, ...egress })) {
    const key = p.slice(0, p.indexOf(':'));
    const at = d[key as keyof ShapeData] !== undefined ? keySpanAt(n, [], key) : entryOf(n, 'egress') ? keySpanAt(n, ['egress'], key) : span;
    sink.error(at, IssueCode.BadValue, `${what}: ${p}`);
  }
  return { both, egress, down, span };
}

/**
 * Both ends of a point-to-point link may give the symmetric keys; where both give the same key,
 * they must agree (each shapes both directions). `egress:` is each end's own.
 */
export function checkPeerShapes(a: { what: string; impair?: ImpairRaw }, b: { what: string; impair?: ImpairRaw }, sink: IssueSink): void {
  const x = a.impair?.both ?? {};
  const y = b.impair?.both ?? {};
  for (const k of Object.keys(x) as (keyof LinkShape)[]) {
    if (y[k] === undefined || y[k] === x[k]) continue;
    sink.error(
      b.impair?.span ?? a.impair!.span,
      IssueCode.BadValue,
      `${b.what}: ${SHAPE_KEY[k]}: ${valueText(k, y[k])} disagrees with ${SHAPE_KEY[k]}: ${valueText(k, x[k])} on ${a.what}; these keys shape both directions, so give them on one end (or use egress: for one direction)`,
    );
  }
}

/** One value in the file's words: "20mbit", "5%". */
function valueText(k: keyof LinkShape, v: number | undefined): string {
  return shapeText({ [k]: v }).replace(/^\S+ /, '');
}
