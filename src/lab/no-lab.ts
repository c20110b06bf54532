// The one error for a lab name with no state on this host, used by every verb that takes a lab
// (show, exec, run, logs, capture, trace, test, down, ps, ui): exit 2, because the name given is
// wrong and nothing was tried; the message names the labs that are here (or says there are none)
// and a close match, so the user can act on it without another command. Also the list of labs
// here for the CLI's completion.
import { listLabs } from '../state/store.js';
import type { StateRoot } from '../state/root.js';
import { NslabError } from '../util/errors.js';
import { closest } from '../util/suggest.js';

/** The labs with state on this host, for the CLI's completion (cli/ reaches state/ only through lab/). */
export function labsHere(root: StateRoot): string[] {
  return listLabs(root);
}

/** The NslabError (exit 2) for `lab`, which has no state on this host. */
export function noSuchLab(root: StateRoot, lab: string): NslabError {
  let labs: string[] | undefined;
  try {
    labs = listLabs(root);
  } catch {
    // The state root may be unreadable (not root): the message then just points at `nslab ls`.
  }
  const guess = labs === undefined ? undefined : closest(lab, labs);
  const here =
    labs === undefined
      ? 'see `nslab ls`'
      : labs.length === 0
        ? 'no labs are up; `nslab up FILE` builds one'
        : `${guess === undefined ? '' : `did you mean '${guess}'? `}labs up: ${labs.slice(0, 10).join(', ')}${labs.length > 10 ? `, ... (${labs.length}; see \`nslab ls\`)` : ''}`;
  return new NslabError('no-lab', `no lab named ${lab} is up (${here})`, 2);
}
