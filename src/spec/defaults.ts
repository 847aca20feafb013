// spec: the default experiment the page opens with, and a helper to describe a recipe briefly.
import type { Evaluation, ExperimentSpec, IntFormat, ModelSource, Recipe, SyntheticSource } from './schema';
import { SPEC_VERSION } from './schema';
import { formatById } from '../quant/formats/registry';
import { fixedBlockOf } from './formatChoice';
import { replacesFormat, transformChip } from './transformSchema';

/** The model shipped with the app (public/models/<name>/, trained by scripts/train-default-model.py). */
export const EMBEDDED_MODEL_NAME = 'lowbit-tiny-llama';

/**
 * The embedded model at the tensor the page opens with: block 1's key projection, the most
 * heavy-tailed matrix of the model (kurtosis 4.3, one input column 2.8x the median column's absmax).
 */
export const EMBEDDED_MODEL_SOURCE: ModelSource = {
  kind: 'model', model: { kind: 'embedded', name: EMBEDDED_MODEL_NAME }, tensor: 'model.layers.1.self_attn.k_proj.weight',
};

/** The synthetic tensor: a 1024 x 1024 Gaussian weight matrix with 4 outlier input channels at 10x. */
export const DEFAULT_SYNTHETIC_SOURCE: SyntheticSource = {
  kind: 'synthetic', rows: 1024, cols: 1024, distribution: 'gaussian', seed: 1, outlierChannels: 4, outlierScale: 10,
};

/**
 * The first view: a real layer of our embedded model quantized to symmetric INT4 in blocks of 64
 * (the explanation suggests per-tensor next, to see what one shared scale does).
 */
export const DEFAULT_SPEC: ExperimentSpec = {
  version: SPEC_VERSION,
  source: EMBEDDED_MODEL_SOURCE,
  recipe: {
    format: intFormat(4, 'sym'),
    granularity: { kind: 'block', blockSize: 64 },
  },
  view: { logScale: true },
};

/** The default recipe on the synthetic tensor (the "Synthetic" source starts here). */
export const SYNTHETIC_SPEC: ExperimentSpec & { source: SyntheticSource } = { ...DEFAULT_SPEC, source: DEFAULT_SYNTHETIC_SOURCE };

/** The Evaluate view's settings when a spec has none: the bundled text, 512 tokens, windows of 128, stride 64. */
export const DEFAULT_EVALUATION: Evaluation = { text: { kind: 'bundled' }, maxTokens: 512, context: 128, stride: 64, keepLayers: [] };

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

/**
 * A short readable chip for a recipe, e.g. "INT4 sym · block 64", "MXFP4 · block 32" or, with a
 * transform step first, "Hadamard · INT4 sym · block 64" (vector quantization alone: it is its own format).
 */
export function recipeLabel(recipe: Recipe): string {
  const { transform } = recipe;
  if (transform && replacesFormat(transform)) return transformChip(transform);
  const base = formatLabel(recipe);
  return transform ? `${transformChip(transform)} · ${base}` : base;
}

/** The format and granularity part of {@link recipeLabel}. */
function formatLabel(recipe: Recipe): string {
  const { format, granularity } = recipe;
  const fmt = format.kind === 'int' ? intLabel(format)
    : format.kind === 'codebook' ? `codebook (${format.levels.length} levels${format.scaling === 'raw' ? ', raw' : ''})`
    : formatById(format.id)?.label ?? format.id;
  const fixed = fixedBlockOf(recipe);
  const gran = fixed !== null ? (fixed === 0 ? 'per-tensor' : `block ${fixed}`) : granularity.kind === 'block' ? `block ${granularity.blockSize}` : `per-${granularity.kind}`;
  return `${fmt} · ${gran}`;
}
