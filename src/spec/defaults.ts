// spec: the default experiment the page opens with, and a helper to describe a recipe briefly.
import type { ExperimentSpec, IntFormat, Recipe } from './schema';
import { SPEC_VERSION } from './schema';
import { formatById } from '../quant/formats/registry';
import { fixedBlockOf } from './formatChoice';

/**
 * The first view: a 1024 x 1024 Gaussian weight matrix with 4 outlier input channels at 10x,
 * quantized to symmetric INT4 in blocks of 64, so per-block scales visibly contain the damage.
 */
export const DEFAULT_SPEC: ExperimentSpec = {
  version: SPEC_VERSION,
  source: {
    kind: 'synthetic', rows: 1024, cols: 1024, distribution: 'gaussian', seed: 1,
    outlierChannels: 4, outlierScale: 10,
  },
  recipe: {
    format: intFormat(4, 'sym'),
    granularity: { kind: 'block', blockSize: 64 },
  },
  view: { logScale: true },
};

/** An integer format with the plain defaults: fp32 scales, round to nearest, no clipping. */
export function intFormat(bits: number, mode: IntFormat['mode']): IntFormat {
  return { kind: 'int', bits, mode, scale: 'fp32', rounding: 'nearest', seed: 0, clip: { kind: 'none' } };
}

/** "INT4 sym", with whatever departs from the defaults: "INT4 asym · fp16 scale · SR · clip p99.9". */
function intLabel(f: IntFormat): string {
  const parts = [`INT${f.bits} ${f.mode}`];
  if (f.scale !== 'fp32') parts.push(`${f.scale} scale`);
  if (f.rounding === 'stochastic') parts.push('SR');
  if (f.clip.kind === 'percentile') parts.push(`clip p${f.clip.p}`);
  if (f.clip.kind === 'mse') parts.push('MSE clip');
  return parts.join(' · ');
}

/** A short readable chip for a recipe, e.g. "INT4 sym · block 64" or "MXFP4 · block 32". */
export function recipeLabel(recipe: Recipe): string {
  const { format, granularity } = recipe;
  const fmt = format.kind === 'int' ? intLabel(format)
    : format.kind === 'codebook' ? `codebook (${format.levels.length} levels${format.scaling === 'raw' ? ', raw' : ''})`
    : formatById(format.id)?.label ?? format.id;
  const fixed = fixedBlockOf(recipe);
  const gran = fixed !== null ? (fixed === 0 ? 'per-tensor' : `block ${fixed}`) : granularity.kind === 'block' ? `block ${granularity.blockSize}` : `per-${granularity.kind}`;
  return `${fmt} · ${gran}`;
}
