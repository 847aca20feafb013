// lib: a tiny assertion helper that narrows types and names what went wrong.

/** Throws `Error(message)` when `condition` is false. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}
