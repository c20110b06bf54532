// Exhaustiveness helper for switches over discriminated unions.

/** Compile-time proof that every case was handled; throws if reached at run time (a bug). */
export function assertNever(x: never): never {
  throw new Error(`unhandled case: ${JSON.stringify(x)}`);
}
