// Building blocks of the zod schemas (schema*.ts): strings whose syntax a *Problem function checks
// and whose JSON Schema carries the matching pattern (syntax-patterns.ts), one-or-many values,
// bounded integers. Error texts are the "must be ..." halves of messages.
import * as z from 'zod';
import { syntaxRef } from './syntax-patterns.js';
import type { SyntaxName } from './syntax-patterns.js';

/** A string; `expect` is the message when the value is not one. */
export function text(expect: string): z.ZodString {
  return z.string({ error: expect });
}

/**
 * A string whose syntax `problem` checks; the problem text becomes the message. `syntax` puts
 * the same rule into the JSON Schema for editors (zod never sees the pattern: `problem` decides).
 */
export function checked(expect: string, problem: (s: string) => string | undefined, syntax?: SyntaxName): z.ZodType<string> {
  const s = text(expect).superRefine((v, ctx) => {
    const p = problem(v);
    if (p !== undefined) ctx.addIssue({ code: 'custom', message: p, input: v });
  });
  return syntax === undefined ? s : s.meta(syntaxRef(syntax));
}

/**
 * A string zod takes as any text, with a pattern for the JSON Schema only: for names that are
 * checked with their own messages elsewhere (name-rules.ts, where they are declared) and for
 * references, which must name something declared and so follow the same pattern.
 */
export function patterned(expect: string, syntax: SyntaxName): z.ZodString {
  return text(expect).meta(syntaxRef(syntax));
}

/** One value or a non-empty list of them. */
export function oneOrMany<T extends string>(item: z.ZodType<T>, expect: string): z.ZodType<T | T[]> {
  return z.union([item, z.array(item, { error: expect }).min(1, { error: expect })], { error: expect });
}

/** A whole number from lo to hi. */
export function intRange(lo: number, hi: number): z.ZodType<number> {
  const m = `must be a whole number from ${lo} to ${hi}`;
  return z.int({ error: m }).min(lo, { error: m }).max(hi, { error: m });
}

/** true or false. */
export const bool = z.boolean({ error: 'must be true or false' });

/** A TCP or UDP port. */
export const port = intRange(1, 65535);
