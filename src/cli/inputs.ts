// cli: what the commands read besides models: an experiment (a link, a file holding one, or a spec .json) and a recipe (a preset id, or a recipe or spec .json).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { DEFAULT_SYNTHETIC_SOURCE } from '../spec/defaults';
import { decodeLink, encodeLink, LINK_PARAM, readSpec, type SpecOutcome } from '../spec/link';
import { PRESETS } from '../spec/presets';
import { type ExperimentSpec, type Recipe, SPEC_VERSION } from '../spec/schema';
import { InputError } from './errors';

/** An experiment read from the command line, with what was adjusted and its link. */
export interface ExperimentInput {
  readonly spec: ExperimentSpec;
  readonly notices: readonly string[];
  /** The link to it: the given URL with its hash rewritten, or the bare `#s=...` for files. */
  readonly link: string;
}

const isFile = (path: string) => existsSync(path) && statSync(path).isFile();

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new InputError(`${path} could not be read (${e instanceof Error ? e.message : String(e)}).`);
  }
}

function parseJson(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InputError(`${path} is not valid JSON (${e instanceof Error ? e.message : String(e)}). Fix the file, or give a link instead.`);
  }
}

const accept = (outcome: SpecOutcome) => {
  if (!outcome.ok) throw new InputError(outcome.message);
  return outcome;
};

/**
 * The experiment in `arg`: a link (a URL with `#s=...`, `s=...` or `1.<payload>`), a file holding
 * a link, or a spec .json file (validated, migrated and clamped like a link). InputError otherwise.
 */
export async function readExperiment(arg: string): Promise<ExperimentInput> {
  let outcome: SpecOutcome;
  let base = '';
  if (isFile(arg)) {
    const text = readText(arg).trim();
    if (text.startsWith('{')) outcome = readSpec(parseJson(text, arg), `The spec in ${arg}`);
    else { outcome = await decodeLink(text); base = text.includes('#') ? text.split('#')[0] : ''; }
  } else if (arg.includes(`#${LINK_PARAM}=`) || arg.startsWith(`${LINK_PARAM}=`) || /^\d+\.[\w-]+$/.test(arg)) {
    outcome = await decodeLink(arg);
    base = arg.includes('#') ? arg.split('#')[0] : '';
  } else {
    throw new InputError(`${arg} is neither a file nor a link. Give a link (https://…/#s=1.…, in quotes for the shell) or a spec .json file.`);
  }
  const { spec, notices } = accept(outcome);
  return { spec, notices, link: `${base}#${await encodeLink(spec)}` };
}

/** A recipe with what was adjusted and where it came from ("preset llama-q4_0", "recipe.json"). */
export interface RecipeInput {
  readonly recipe: Recipe;
  readonly notices: readonly string[];
  readonly label: string;
}

/**
 * The recipe in `arg`: a preset id (src/spec/presets.ts, e.g. llama-q4_0), or a .json file holding
 * a recipe ({format, granularity[, transform]}) or a whole spec (its recipe is used), checked and
 * clamped like a link.
 */
export function readRecipe(arg: string): RecipeInput {
  const preset = PRESETS.find((p) => p.id === arg);
  if (preset) return { recipe: preset.recipe, notices: [], label: `preset ${preset.id} (${preset.label})` };
  if (!isFile(arg)) {
    throw new InputError(`${arg} is neither a preset nor a file. Presets: ${PRESETS.map((p) => p.id).join(', ')}; or a recipe .json file.`);
  }
  const raw = parseJson(readText(arg), arg);
  const whole = typeof raw === 'object' && raw !== null && 'recipe' in raw;
  const spec = whole ? raw : { version: SPEC_VERSION, source: DEFAULT_SYNTHETIC_SOURCE, recipe: raw, view: { logScale: true } };
  const { spec: valid, notices } = accept(readSpec(spec, `The recipe in ${arg}`));
  return { recipe: valid.recipe, notices, label: arg };
}
