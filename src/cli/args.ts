// cli: command-line flags on Node's util.parseArgs, with usage errors that name the command's --help.
import { parseArgs } from 'node:util';
import { UsageError } from './errors';

/** A flag: a switch, or one that takes a value (optionally repeated). */
export type FlagSpec = { readonly type: 'boolean' } | { readonly type: 'string'; readonly multiple?: boolean };

/** What parseFlags returns: values by flag name (strings, string lists or booleans) and the positional arguments. */
export interface ParsedFlags {
  readonly values: Readonly<Record<string, string | boolean | string[] | undefined>>;
  readonly positionals: readonly string[];
}

/**
 * Parses `argv` (after the command name) with the command's `flags` (every command also has
 * --help and -h). Unknown flags, a flag without its value, or more positionals than `maxPositionals`
 * throw a UsageError pointing at `lowbit <command> --help`.
 */
export function parseFlags(command: string, argv: readonly string[], flags: Readonly<Record<string, FlagSpec>>, maxPositionals = 0): ParsedFlags {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: { ...flags, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    throw new UsageError(`${e instanceof Error ? e.message.replace(/\. To specify a positional argument.*$/s, '') : String(e)}. See lowbit ${command} --help.`);
  }
  if (parsed.positionals.length > maxPositionals && !parsed.values.help) {
    throw new UsageError(`lowbit ${command} takes ${maxPositionals === 0 ? 'no' : `at most ${maxPositionals}`} positional argument${maxPositionals === 1 ? '' : 's'}, got: ${parsed.positionals.join(' ')}. See lowbit ${command} --help.`);
  }
  return parsed as ParsedFlags;
}

/** A string flag's value, or a UsageError naming the flag when it is required and absent. */
export function stringFlag(flags: ParsedFlags, name: string, command: string, required: true): string;
export function stringFlag(flags: ParsedFlags, name: string, command: string, required?: false): string | undefined;
export function stringFlag(flags: ParsedFlags, name: string, command: string, required = false): string | undefined {
  const v = flags.values[name];
  if (v === undefined && required) throw new UsageError(`lowbit ${command} needs --${name}. See lowbit ${command} --help.`);
  return typeof v === 'string' ? v : undefined;
}

/** A whole-number flag in [min, max], or its default; a UsageError when it is not one. */
export function intFlag(flags: ParsedFlags, name: string, command: string, fallback: number, min: number, max: number): number {
  const v = flags.values[name];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (typeof v !== 'string' || !/^\d+$/.test(v.trim()) || n < min || n > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, not "${String(v)}". See lowbit ${command} --help.`);
  }
  return n;
}

/** The --backend choice: auto (WebGPU when there is an adapter, else the CPU reference), webgpu or cpu. */
export type BackendChoice = 'auto' | 'webgpu' | 'cpu';

export function backendFlag(flags: ParsedFlags, command: string): BackendChoice {
  const v = flags.values.backend ?? 'auto';
  if (v !== 'auto' && v !== 'webgpu' && v !== 'cpu') throw new UsageError(`--backend is auto, webgpu or cpu, not "${String(v)}". See lowbit ${command} --help.`);
  return v;
}
