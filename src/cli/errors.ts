// cli: the command's exit codes and the two kinds of failure a person can fix (a wrong command line, a bad input).

/** Exit codes of `lowbit` (docs/CLI.md). */
export const EXIT = Object.freeze({
  /** Done. */
  ok: 0,
  /** An input could not be used: a file missing or damaged, a link or recipe invalid, a model that fails to load, no GPU when --backend webgpu asked for one. */
  input: 1,
  /** The command line itself is wrong: unknown command or flag, a missing or malformed value. */
  usage: 2,
  /** Anything else: a bug in lowbit (the message says where to report it). */
  internal: 3,
});

/** A wrong command line (exit 2); the message says what to type instead. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** An input that cannot be used (exit 1); the message says what happened and what to do. */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}
