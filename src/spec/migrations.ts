// spec: migrations of stored specs (links, spec.json files) from older schema versions to the current one.
import { SPEC_VERSION } from './schema';

/** A plain JSON object (what a decoded link holds before validation). */
export type JsonObject = Record<string, unknown>;

/**
 * One step from version `from` to `from + 1`. `up` gets a deep copy it may change and returns the
 * spec in the next version's shape; `notice` (optional) tells the person what changed in meaning,
 * if anything did (a renamed field needs none, a dropped setting does).
 */
export interface Migration {
  readonly from: number;
  readonly up: (spec: JsonObject) => JsonObject;
  readonly notice?: string;
}

/**
 * The migrations, oldest first. Version 1 is the first version any link was made with, so there
 * are none yet: when the schema changes shape, bump SPEC_VERSION, add `{ from: SPEC_VERSION - 1,
 * up }` here and keep the old links of tests/fixtures/links/v1.json opening.
 */
export const MIGRATIONS: readonly Migration[] = Object.freeze([]);

/** The spec in the current version's shape (not yet validated), with notices; or why it cannot be migrated. */
export type MigrationOutcome =
  | { readonly ok: true; readonly spec: JsonObject; readonly notices: readonly string[] }
  | { readonly ok: false; readonly message: string };

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Brings `raw` (a parsed JSON value) from its `version` up to `target` by applying `migrations`
 * in order. Refuses values that are not objects, have no whole-number version, come from a
 * newer lowbit, or have no path of migrations to `target`. Never throws on any JSON value.
 */
export function migrateSpec(raw: unknown, target: number = SPEC_VERSION, migrations: readonly Migration[] = MIGRATIONS): MigrationOutcome {
  if (!isObject(raw)) return { ok: false, message: 'it does not hold an experiment (a JSON object with a version, source, recipe and view)' };
  const version = raw.version;
  if (typeof version !== 'number' || !Number.isInteger(version)) {
    return { ok: false, message: `its spec version is ${JSON.stringify(version) ?? 'missing'}, not a whole number` };
  }
  if (version > target) {
    return { ok: false, message: `it was made by a newer lowbit (spec version ${version}; this page reads up to ${target}). Reload the page to get the newest lowbit` };
  }
  let spec: JsonObject = structuredClone(raw);
  const notices: string[] = [];
  for (let v = version; v < target; v++) {
    const step = migrations.find((m) => m.from === v);
    if (!step) return { ok: false, message: `its spec version ${version} is older than any this lowbit can read (no migration from version ${v})` };
    spec = { ...step.up(spec), version: v + 1 };
    if (step.notice) notices.push(step.notice);
  }
  return { ok: true, spec, notices };
}
