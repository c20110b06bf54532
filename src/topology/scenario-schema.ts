// The zod schema of a scenario file (`nslab scenario FILE`): a timeline of faults run against a
// lab that is up, the flows probed meanwhile, and the limits their outages must keep. Units are
// written out (500ms, 2s, 10%, 1mbit) and checked here, with their own messages; numbers without
// a unit are refused so that `at: 2` is never read as 2 ms or 2 s by guess.
import * as z from 'zod';
import { bool, checked, port, text } from './schema-util.js';

const DURATION = /^(\d+(?:\.\d+)?)(us|ms|s|m)$/;
const PERCENT = /^(\d+(?:\.\d+)?)%$/;
const RATE = /^(\d+(?:\.\d+)?)(bit|kbit|mbit|gbit)$/;
const SCALE_MS: Readonly<Record<string, number>> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };
const SCALE_BIT: Readonly<Record<string, number>> = { bit: 1, kbit: 1e3, mbit: 1e6, gbit: 1e9 };
/** No scenario runs longer than a day; longer times are typing mistakes. */
export const MAX_SCENARIO_MS = 86_400_000;

/** Milliseconds of a duration text ("500ms", "2s", "1.5s", "1m"), or undefined when it is not one. */
export function parseDuration(s: string): number | undefined {
  const m = DURATION.exec(s.trim());
  return m ? Number(m[1]) * SCALE_MS[m[2]!]! : undefined;
}

/** A percentage text ("10%", "0.5%") as a number from 0 to 100, or undefined. */
export function parsePercent(s: string): number | undefined {
  const m = PERCENT.exec(s.trim());
  const v = m ? Number(m[1]) : undefined;
  return v !== undefined && v <= 100 ? v : undefined;
}

/** Bits per second of a rate text ("1mbit", "512kbit"), or undefined. */
export function parseRate(s: string): number | undefined {
  const m = RATE.exec(s.trim());
  return m ? Number(m[1]) * SCALE_BIT[m[2]!]! : undefined;
}

const durationProblem = (s: string): string | undefined => {
  const ms = parseDuration(s);
  if (ms === undefined) return `must be a duration with its unit, such as 500ms, 2s or 1.5s`;
  return ms > MAX_SCENARIO_MS ? 'must be at most 24 hours' : undefined;
};

/** A duration: a text with a unit (a bare number is refused, its unit would be a guess). */
export const duration = checked('must be a duration with its unit, such as 500ms or 2s', durationProblem);
const percent = checked('must be a percentage such as 10% or 0.5%', (s) =>
  parsePercent(s) === undefined ? `must be a percentage from 0% to 100%, such as 10%` : undefined,
);
const rate = checked('must be a rate such as 512kbit or 1mbit', (s) =>
  parseRate(s) === undefined ? `must be a rate with its unit: bit, kbit, mbit or gbit, such as 1mbit` : undefined,
);
const endpoint = text('must be NODE:IFACE, such as "r1:eth0"');
const nodeName = text('must be a node name');

/** One flow probed during the scenario, as in a topology's expect: entries. */
export const scenarioProbeSchema = z.strictObject(
  {
    from: nodeName,
    to: text('must be a node name, NODE:IFACE, or an address'),
    tcp: port.optional(),
    udp: port.optional(),
  },
  { error: 'must be a mapping such as { from: h1, to: h2 }' },
);

/** A process the scenario starts. */
const startSchema = z.strictObject(
  {
    node: nodeName,
    name: text('must be a process name').optional(),
    command: z.array(text('must be a word of the command'), { error: 'must be a list of words, such as [sleep, "60"]' }).min(1, { error: 'must not be empty' }),
  },
  { error: 'must be a mapping such as { node: h2, name: web, command: [...] }' },
);

/** A process the scenario stops. */
const stopSchema = z.strictObject({ node: nodeName, name: text('must be a process name') }, { error: 'must be a mapping such as { node: h2, name: web }' });

/** One step. Exactly one action key besides at: (checked in parse-scenario.ts, which names the culprits). */
export const stepSchema = z.strictObject(
  {
    at: duration,
    link: endpoint.optional(),
    down: bool.optional(),
    impair: endpoint.optional(),
    delay: duration.optional(),
    jitter: duration.optional(),
    loss: percent.optional(),
    rate: rate.optional(),
    clear: endpoint.optional(),
    partition: z
      .array(z.array(nodeName, { error: 'must be a list of node names' }).min(1, { error: 'must not be empty' }), {
        error: 'must be a list of groups of nodes, such as [[h1, r1], [r2, h2]]',
      })
      .min(2, { error: 'needs at least two groups' })
      .optional(),
    heal: z.literal(true, { error: 'must be true' }).optional(),
    start: startSchema.optional(),
    stop: stopSchema.optional(),
    end: z.literal(true, { error: 'must be true' }).optional(),
  },
  { error: 'must be a mapping such as { at: 2s, link: "r1:eth0", down: true }' },
);

/** One limit checked after the run. */
export const scenarioExpectSchema = z.strictObject(
  {
    probe: z.int({ error: 'must be the number of a probe (0 for the first)' }).min(0, { error: 'must be 0 or more' }),
    max_outage: duration.optional(),
    recovers_within: duration.optional(),
    after: z.int({ error: 'must be the number of a step (0 for the first)' }).min(0, { error: 'must be 0 or more' }).optional(),
  },
  { error: 'must be a mapping such as { probe: 0, max_outage: 3s }' },
);

/** The top level; probes, steps and limits are checked one by one so one bad entry hides no other. */
export const scenarioShell = z.strictObject(
  {
    lab: text('must be the name of a lab that is up'),
    probe: z.array(z.unknown(), { error: 'must be a list of flows, such as [{ from: h1, to: h2 }]' }).min(1, { error: 'needs at least one flow' }),
    interval: duration.optional(),
    timeout: duration.optional(),
    steps: z.array(z.unknown(), { error: 'must be a list of steps' }).min(1, { error: 'needs at least one step' }),
    expect: z.array(z.unknown(), { error: 'must be a list of limits' }).nullable().optional(),
  },
  { error: 'must be a mapping with lab:, probe: and steps:' },
);
