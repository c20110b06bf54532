// `nslab down NAME|FILE`: remove the lab and say what was removed.
import { down } from '../../lab/down.js';
import { config } from '../config.js';
import { machineState } from '../../lab/machine.js';
import { labsHere } from '../../lab/no-lab.js';
import { closest } from '../../util/suggest.js';
import { busy, duration, paint, printJson } from '../render.js';

/** How long down waits for the kernel before finishing the bridges in the background. */
const BACKGROUND_AFTER_MS = 250;

/** ` (did you mean 'x'? it is up)` when a lab that is up has a name close to the one given. */
function typo(lab: string): string {
  let guess: string | undefined;
  try {
    guess = closest(
      lab,
      labsHere(config().state).filter((l) => l !== lab),
    );
  } catch {
    // unreadable state root: no suggestion
  }
  return guess === undefined ? '' : ` (did you mean '${guess}'? it is up)`;
}

/** Run `down`. */
export async function run(target: string, o: { json?: boolean; wait?: boolean; force?: boolean; as?: string }): Promise<void> {
  const r = await down({
    state: o.as === undefined ? config().state : machineState(config().state, o.as),
    ...config().kernel,
    ...(config().inheritedLockFd === undefined ? {} : { inheritedLockFd: config().inheritedLockFd }),
    target,
    onBusy: busy,
    ...(o.force ? { force: true } : {}),
    ...(o.wait ? {} : { backgroundAfterMs: BACKGROUND_AFTER_MS }),
  });
  if (o.json) return printJson({ ...r, ms: Math.round(r.ms) });
  if (r.hostGone !== undefined) {
    process.stderr.write(
      paint(
        `its host namespace ${r.hostGone} is gone, and with it the lab's bridges, host ends and host settings; removed what was left (its node namespaces and state)`,
        'yellow',
      ) + '\n',
    );
  }
  for (const s of r.skipped) process.stderr.write(paint(`left alone (no longer ours): ${s}`, 'yellow') + '\n');
  process.stdout.write(
    r.wasUp ? `lab ${r.lab}: down (${r.removed} object(s) removed in ${duration(r.ms)})\n` : `lab ${r.lab}: not up, nothing to do${typo(r.lab)}\n`,
  );
  if (r.finisher !== undefined) {
    process.stdout.write(
      `the kernel is still freeing the lab's interfaces; its bridges go when that is done (background PID ${r.finisher}, holding the lab's lock: a new \`nslab up\` of it waits; \`nslab down --wait\` waits for it)\n`,
    );
  }
}
