// Telling a lab name from a file name on the command line (no parser needed).

import { isLabName } from '../names/rules.js';

/** A lab name (names/rules.ts): anything else given as a lab is treated as a file. */
export function looksLikeLabName(s: string): boolean {
  return isLabName(s);
}
