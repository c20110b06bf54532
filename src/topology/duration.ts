// One duration syntax for every time in a topology file (exec timeouts, expect within): a number
// of seconds, or a number with a unit: 500ms, 30s, 2m, 1h. Results are milliseconds.
import * as z from 'zod';
import { checked } from './schema-util.js';

const DURATION = /^(\d{1,9}(?:\.\d{1,3})?) ?(ms|s|m|h)?$/;
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds of a duration written as 500ms, 30s, 2m, 1h or a plain number of seconds; undefined when it is not one. */
export function parseDuration(v: string | number): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? Math.round(v * 1000) : undefined;
  const m = DURATION.exec(v);
  if (!m) return undefined;
  return Math.round(Number(m[1]) * UNIT_MS[m[2] ?? 's']!);
}

/** Why s is not a duration, or undefined. */
export function durationProblem(s: string): string | undefined {
  return parseDuration(s) === undefined ? 'a duration is a number of seconds or one with a unit, such as 500ms, 30s, 2m or 1h' : undefined;
}

/** A duration from more than 0 up to maxMs, as milliseconds: seconds as a number, or text with a unit. */
export function duration(maxMs: number, maxText: string): z.ZodType<number> {
  const m = `must be a duration such as 500ms, 30s, 2m or 1h (more than 0, at most ${maxText})`;
  return z.union([z.number({ error: m }).describe('Seconds.'), checked(m, durationProblem, 'duration')], { error: m }).transform((v, ctx) => {
    const ms = parseDuration(v);
    if (ms === undefined || ms <= 0 || ms > maxMs) {
      ctx.addIssue({ code: 'custom', message: m, input: v });
      return z.NEVER;
    }
    return ms;
  });
}
