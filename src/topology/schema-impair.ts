// The link properties of an interface (extension): rate, delay, jitter, loss, corrupt, duplicate,
// reorder, limit, up, and `egress:` for one direction only. Spread into interfaceSchema
// (schema.ts); their values are read by parse-impair.ts with the parsers of impair-units.ts.
import * as z from 'zod';
import { bool } from './schema-util.js';
import { type Parsed, parseDuration, parseLimit, parsePercent, parseRate } from './impair-units.js';

/** A value with a unit: a string (a bare number has no unit); `numbers` also takes a plain number (a percentage, a count). */
function unitValue(expect: string, parse: (v: unknown) => Parsed<number>, numbers = false): z.ZodType<string | number> {
  const base = numbers
    ? z.union([z.string().describe('With its unit or sign, such as "5%".'), z.number().describe('A plain number.')], { error: expect })
    : z.string({ error: `${expect} (with its unit)` });
  return base.superRefine((v, ctx) => {
    const p = parse(v);
    if (!p.ok) ctx.addIssue({ code: 'custom', message: p.problem, input: v });
  });
}

const RATE = 'must be a rate such as 10mbit';
const TIME = 'must be a time such as 20ms';
const PCT = 'must be a percentage such as 5%';

/** The shaping keys, the same in both places (the interface itself, and its `egress:`). */
export const shapeKeys = {
  rate: unitValue(RATE, parseRate)
    .optional()
    .describe('Bandwidth limit: 10mbit, 512kbit, 1gbit (bit/kbit/mbit/gbit; bps/kbps/mbps/gbps are bytes per second).'),
  delay: unitValue(TIME, parseDuration).optional().describe('Added one-way delay: 20ms, 500us, 1s (needs the kernel module sch_netem).'),
  jitter: unitValue(TIME, parseDuration).optional().describe('Random variation of the delay, ± this much (needs delay:).'),
  loss: unitValue(PCT, parsePercent, true).optional().describe('Share of packets dropped at random: 5% or 0.5% (without sch_netem: an nftables rule).'),
  corrupt: unitValue(PCT, parsePercent, true).optional().describe('Share of packets with a flipped bit (needs sch_netem).'),
  duplicate: unitValue(PCT, parsePercent, true).optional().describe('Share of packets sent twice (needs sch_netem).'),
  reorder: unitValue(PCT, parsePercent, true).optional().describe('Share of packets sent at once, ahead of the delayed others (needs delay: and sch_netem).'),
  limit: unitValue('must be a number of packets', parseLimit, true)
    .optional()
    .describe('Queue length in packets of the rate limit or the emulator (default 1000 for the emulator, 100 ms of the rate for a rate limit).'),
};

/** The keys an interface gains: the shaping keys (both directions), `egress:` (this end only), `up:`. */
export const impairKeys = {
  ...shapeKeys,
  egress: z
    .strictObject(shapeKeys, { error: 'must be a mapping such as { rate: 10mbit }' })
    .optional()
    .describe("Shape only what this interface sends (the keys beside egress: shape both directions); added to the interface's own keys."),
  up: bool.optional().describe('false: the link starts cut (this end set down, the other end sees no carrier). Default true.'),
};
