// Telling a lab name from a file name on the command line (no parser needed).

/** Lab names are [a-z][a-z0-9-]{0,9}: anything else given as a lab is treated as a file. */
export function looksLikeLabName(s: string): boolean {
  return /^[a-z][a-z0-9-]{0,9}$/.test(s);
}
