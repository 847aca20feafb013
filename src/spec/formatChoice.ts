// spec: maps a recipe to the quantizer it names in the library's terms (src/quant/apply.ts).
import type { FormatChoice } from '../quant/apply';
import { formatById } from '../quant/formats/registry';
import type { Recipe } from './schema';

/** The quantizer a recipe names. */
export function formatChoice(recipe: Recipe): FormatChoice {
  const f = recipe.format;
  if (f.kind === 'format') {
    const { kind: _kind, id, ...options } = f;
    return Object.keys(options).length ? { kind: 'format', id, options } : { kind: 'format', id };
  }
  if (f.kind === 'codebook') return { kind: 'codebook', levels: f.levels, scaling: f.scaling };
  const { kind: _kind, ...params } = f;
  return { kind: 'int', params };
}

/** Block size the recipe's format fixes (MX 32, NVFP4 16, IQ4_NL 32, 0 = the whole tensor), or null when the granularity applies. */
export function fixedBlockOf(recipe: Recipe): number | null {
  const desc = recipe.format.kind === 'format' ? formatById(recipe.format.id) : undefined;
  return desc?.fixedBlock ? desc.blockSize : null;
}
