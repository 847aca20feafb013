// ui: words for what is on screen: the source chip and the one-sentence explanation of the tensor view.
import { formatById } from '../quant/formats/registry';
import { fixedBlockOf } from '../spec/formatChoice';
import type { TensorResult } from '../engine/types';
import type { ModelSummary, TensorInfo } from '../model/load';
import type { Distribution, ExperimentSpec, IntFormat, ModelRef, Recipe, Source } from '../spec/schema';

export const DISTRIBUTION_LABELS: Record<Distribution, string> = {
  gaussian: 'Gaussian', laplace: 'Laplace', 'student-t': 'Student-t', uniform: 'uniform',
};

/** What each transform step does before the format quantizes, as a clause of the explanation. */
const TRANSFORM_WORDS: Record<Exclude<NonNullable<Recipe['transform']>['method'], 'vq'>, string> = {
  hadamard: 'rotated by a randomized Hadamard matrix first (QuaRot; the Outliers view shows before and after)',
  retention: 'with its largest outliers kept in fp16 (LLM.int8 / PB-LLM) and the rest',
  reorder: 'with its columns reordered by size so outliers share blocks',
  splitquant: 'split into lower, middle and upper clusters with their own scales (SplitQuant), each',
  lowrank: 'minus a low-rank part kept in fp16 (LoRC), the residual',
  'clip-search': 'with each group\'s clipping ratio searched (OmniQuant-style) and then',
};

/** How a model is named on screen (the engine names its summary the same way). */
export function modelDisplayName(ref: ModelRef): string {
  switch (ref.kind) {
    case 'embedded': return ref.name;
    case 'hub': return `${ref.repo}@${ref.revision}`;
    case 'local': return ref.name;
  }
}

/** The last result's model summary when it is of `ref`'s model (a failed load leaves another model's result). */
export function openModelSummary(result: TensorResult | null, ref: ModelRef): ModelSummary | null {
  const subject = result?.subject;
  return subject?.kind === 'model' && subject.model.name === modelDisplayName(ref) ? subject.model : null;
}

/** The last result's tensor when it is of `ref`'s model. */
export function openModelTensor(result: TensorResult | null, ref: ModelRef): TensorInfo | null {
  return openModelSummary(result, ref) && result?.subject.kind === 'model' ? result.subject.tensor : null;
}

/** "mlp-down" → "MLP down projection" */
export const ROLE_LABELS: Record<TensorInfo['role'], string> = {
  embedding: 'token embedding', position: 'position embedding', 'attn-q': 'attention query', 'attn-k': 'attention key',
  'attn-v': 'attention value', 'attn-qkv': 'fused attention q/k/v', 'attn-o': 'attention output', 'mlp-up': 'MLP up projection',
  'mlp-gate': 'MLP gate projection', 'mlp-down': 'MLP down projection', norm: 'norm weight', head: 'output head', bias: 'bias', other: 'other',
};

/** The header's source chip, e.g. "Synthetic 1024×1024 · Gaussian · 4 outlier ch." or "lowbit-tiny-llama · model.layers.0.mlp.down_proj.weight". */
export function sourceLabel(s: Source, result: TensorResult | null = null): string {
  if (s.kind === 'model') {
    const resolved = openModelTensor(result, s.model)?.name ?? null;
    return `${modelDisplayName(s.model)} · ${s.tensor ?? resolved ?? 'default tensor'}`;
  }
  const outliers = s.outlierChannels > 0 ? `${s.outlierChannels} outlier ch.` : 'no outliers';
  return `Synthetic ${s.rows}×${s.cols} · ${DISTRIBUTION_LABELS[s.distribution]} · ${outliers}`;
}

const INT_MODE_WORDS: Record<IntFormat['mode'], string> = {
  sym: '', 'sym-full': 'full-range symmetric ', asym: 'asymmetric ', 'asym-float': 'float-zero-point asymmetric ',
};

/** One sentence saying what the tensor view shows for this spec, and one thing to try next. */
export function explainSpec(spec: ExperimentSpec, result: TensorResult | null = null): string {
  const { source: s, recipe: { format, granularity: g } } = spec;
  let subject: string, n: number, cols: number;
  if (s.kind === 'synthetic') {
    n = s.outlierChannels;
    cols = s.cols;
    const outliers = n > 0 ? ` with ${n} outlier input channel${n === 1 ? '' : 's'} (×${s.outlierScale})` : '';
    subject = `A ${s.rows}×${s.cols} synthetic ${DISTRIBUTION_LABELS[s.distribution]} weight matrix${outliers}`;
  } else {
    const t = openModelTensor(result, s.model);
    if (!t || (s.tensor !== null && t.name !== s.tensor)) return `Opening ${s.tensor ?? 'the default tensor'} of ${modelDisplayName(s.model)}…`;
    n = 0;
    cols = t.shape.at(-1) ?? 1;
    subject = `The ${ROLE_LABELS[t.role]}${t.layer === null ? '' : ` of block ${t.layer}`} of ${modelDisplayName(s.model)} (${t.name}, ${t.shape.join('×')}, stored as ${t.dtype})`;
    // GPT-2's Conv1D stores [in, out]: "per row" then groups an input channel, the opposite of nn.Linear.
    if (t.inputAxis === 0) subject += ', stored transposed as [in, out] (GPT-2 Conv1D), so rows are input channels and columns output channels';
  }
  const step = spec.recipe.transform;
  if (step?.method === 'vq') {
    return `${subject}, replaced by vector quantization: every ${step.params.dim} consecutive weights of a row stored as one of 2^${step.params.bits} codewords fitted by k-means (VPTQ), instead of the format's grid.`;
  }
  if (step) subject += `, ${TRANSFORM_WORDS[step.method]}`;
  if (format.kind === 'format') {
    const d = formatById(format.id);
    const fixed = fixedBlockOf(spec.recipe);
    const clause = fixed === null ? granularityClause(g, cols, n > 0) : fixed === 0 ? ', fitted to the whole tensor at once.' : ` in its fixed blocks of ${fixed}.`;
    return `${subject}, quantized to ${d?.label ?? format.id} (${d?.explanation.replace(/\.$/, '') ?? ''})${clause}`;
  }
  if (format.kind === 'codebook') {
    const how = format.scaling === 'raw' ? 'used as raw values' : 'scaled by each group\'s absmax';
    return `${subject}, quantized to your ${format.levels.length}-level codebook (${how})${format.scaling === 'raw' ? '.' : granularityClause(g, cols, n > 0)}`;
  }
  const target = `${format.bits}-bit ${INT_MODE_WORDS[format.mode]}integers`;
  return `${subject}, quantized to ${target}${granularityClause(g, cols, n > 0)}`;
}

function granularityClause(g: ExperimentSpec['recipe']['granularity'], cols: number, outliers: boolean): string {
  switch (g.kind) {
    case 'block':
      if (g.blockSize >= cols) return ` in blocks of ${g.blockSize}, which is a whole row or more, so this acts as per-row.`;
      return outliers
        ? ` in blocks of ${g.blockSize}: each block has its own scale, so outliers only hurt the blocks they sit in. Try per-tensor to see what one shared scale does.`
        : ` in blocks of ${g.blockSize}, each with its own scale. Try per-tensor to see what one shared scale does.`;
    case 'tensor':
      return outliers
        ? ' with one scale for the whole tensor: the outliers set the range, so every other weight gets coarse steps. Try per-block to keep the damage local.'
        : ' with one scale for the whole tensor. Try per-block to see what local scales gain.';
    case 'row':
      return outliers
        ? ' with one scale per row: every row crosses the outlier channels, so every scale is stretched by them. Try per-column, which gives each outlier channel its own scale.'
        : ' with one scale per row. Try per-block for finer scales.';
    case 'column':
      return outliers
        ? ' with one scale per input column: each outlier channel gets its own scale, and the other columns keep fine steps.'
        : ' with one scale per column. Try per-tensor to compare.';
  }
}
