// `nslab __complete labs|nodes LAB|targets LAB` (hidden): the names the completion scripts offer,
// one per line. Called on every Tab, so it must be fast (the lab's cached model, no parser when
// the model is cached) and must never complain: any problem (no such lab, unreadable state, not
// root) prints nothing and exits 0, so the shell just offers nothing.
import { looksLikeLabName } from '../../lab/names.js';
import { config } from '../config.js';
import { labsHere } from '../../lab/no-lab.js';

/** Run `__complete`. */
export async function run(what: string | undefined, lab: string | undefined): Promise<void> {
  let names: string[] = [];
  try {
    names = await namesOf(what, lab);
  } catch {
    names = [];
  }
  if (names.length > 0) process.stdout.write(names.join('\n') + '\n');
}

async function namesOf(what: string | undefined, lab: string | undefined): Promise<string[]> {
  if (what === 'labs') return labsHere(config().state);
  if ((what !== 'nodes' && what !== 'targets') || lab === undefined || !looksLikeLabName(lab)) return [];
  const { topology } = await (await import('../../lab/load-lazy.js')).loadLabLazy(config().state, lab);
  const nodes = [...topology.nodes.keys()];
  return what === 'nodes' ? nodes : [...nodes, ...topology.networks.keys()];
}
