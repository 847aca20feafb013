// engine: what quantization does to a model's predictions: perplexity of the full-precision and the quantized model over sliding windows, llama.cpp's KL statistics, per-token loss change, side-by-side generation; on the GPU when there is one.
import type { GpuRuntime } from '../gpu/runtime';
import { classifyTensor, type TensorRole } from '../model/architectures';
import type { DistributionComparison } from '../model/forward/compare';
import { compareCpu, type ModelComparison } from '../model/forward/compareModels';
import { forwardModelFromLoaded } from '../model/forward/fromLoaded';
import { greedyGenerate, sampleGenerate } from '../model/forward/generate';
import type { PerplexityOptions } from '../model/forward/perplexity';
import type { ForwardModel } from '../model/forward/weights';
import { compareGpu, createGpuModel, denseLinear, generateGpu, type LinearPacker } from '../model/gpu';
import type { LoadedModel } from '../model/load';
import type { Tokenizer } from '../model/tokenizer';
import { ModelLoadError } from '../model/types';
import type { Recipe } from '../spec/schema';
import { CancelledError, type ProgressFn } from './experiment';
import { modelPair, quantizedInModel, quantizedVariant, type TransformExecution } from './modelPair';

/** Settings of an evaluation: which text, how much of it, and the sliding-window protocol. */
export interface EvalSettings {
  /** The text to score; tokenized without BOS (the protocol adds it per window when the model has one). */
  readonly text: string;
  /** Where the text came from, shown with the numbers. */
  readonly textLabel: string;
  /** At most this many tokens of the text are scored. */
  readonly maxTokens: number;
  readonly context: number;
  readonly stride: number;
  /** Blocks kept in full precision (the most sensitive ones, from a sweep). */
  readonly keepLayers?: readonly number[];
}

/** One token of the per-token view: its text and how much its loss rose under quantization (nats; null when unscored). */
export interface TokenDelta {
  readonly text: string;
  readonly deltaNll: number | null;
}

/** The numbers of an evaluation and the protocol that produced them (small and serialisable). */
export interface EvalResult {
  readonly protocol: {
    readonly textLabel: string;
    /** Text tokens used (after truncation to maxTokens) and how many were scored. */
    readonly tokens: number;
    readonly scored: number;
    readonly context: number;
    readonly stride: number;
    /** Whether BOS was put in front of every window. */
    readonly bos: boolean;
    /** Blocks kept in full precision. */
    readonly keptLayers: readonly number[];
    /** How many tensors the recipe was applied to, their parameters and weighted bits per weight. */
    readonly quantizedTensors: number;
    readonly quantizedParams: number;
    readonly bitsPerWeight: number;
    /**
     * How the recipe's transform ran: 'executed' (rotation, kept columns/rows, low-rank branch or
     * permutation computed around the packed low-bit matmul), 'simulated' (a method that only
     * changes the stored values, run on its dequantized weights), or 'none'.
     */
    readonly transformExecution: TransformExecution;
    /** One sentence on what ran ('' without a transform). */
    readonly transformDetail: string;
  };
  readonly pplFull: number;
  readonly pplQuantized: number;
  readonly comparison: DistributionComparison;
  /** The first tokens of the text with their loss change (at most PER_TOKEN_LIMIT). */
  readonly perToken: readonly TokenDelta[];
  readonly backend: 'webgpu' | 'cpu';
  readonly elapsedMs: number;
}

/** Tokens the per-token view shows at most. */
export const PER_TOKEN_LIMIT = 1500;

async function tokenizerOf(loaded: LoadedModel): Promise<Tokenizer> {
  const tokenizer = await loaded.tokenizer();
  if (!tokenizer) throw new ModelLoadError('not-found', `${loaded.summary.name} has no tokenizer (tokenizer.json or GGUF vocabulary), so its predictions cannot be measured.`);
  return tokenizer;
}

/**
 * Perplexity of the full-precision and the quantized model on `settings.text` by the sliding-window
 * protocol of src/model/forward/windows.ts, and per scored token KL(P_full || P_quantized), top-1
 * agreement and Δp of the correct token (llama.cpp's perplexity tool statistics). On the GPU
 * (`rt`) the quantized model runs from packed low-bit weights; on the CPU from dequantized ones;
 * both run the recipe's transform around each product (see protocol.transformExecution).
 */
export async function evaluateRecipe(
  loaded: LoadedModel, recipe: Recipe, settings: EvalSettings, rt: GpuRuntime | null,
  onProgress: ProgressFn, isCancelled: () => boolean,
): Promise<EvalResult> {
  const started = performance.now();
  const { tokenizer, tokens, full } = await prepare(loaded, settings, onProgress);
  const keep = new Set(settings.keepLayers ?? []);
  const variant = quantizedVariant(loaded, full, recipe, (name) => !keep.has(classifyTensor(name).layer ?? -1));
  const options = windowOptions(full, settings);
  const comparer = createComparer(full, rt);
  let result: ModelComparison;
  try {
    result = await comparer.compare(variant, tokens, options, passHooks(0.1, 0.9, onProgress, isCancelled));
  } finally {
    comparer.dispose();
  }
  const { comparison, reference, test } = result;
  const perToken = tokens.slice(0, PER_TOKEN_LIMIT).map((id, i): TokenDelta => {
    const d = test.perTokenNll[i] - reference.perTokenNll[i];
    return { text: tokenizer.decodeToken(id), deltaNll: Number.isNaN(d) ? null : d };
  });
  return {
    protocol: {
      textLabel: settings.textLabel, tokens: tokens.length, scored: comparison.positions, context: settings.context, stride: settings.stride,
      bos: options.bos !== null, keptLayers: [...keep].sort((a, b) => a - b),
      quantizedTensors: variant.quantizedTensors, quantizedParams: variant.quantizedParams, bitsPerWeight: variant.bitsPerWeight,
      transformExecution: variant.transformExecution, transformDetail: variant.transformDetail,
    },
    pplFull: reference.ppl,
    pplQuantized: test.ppl,
    comparison,
    perToken,
    backend: rt ? 'webgpu' : 'cpu',
    elapsedMs: performance.now() - started,
  };
}

/** The text's tokens (truncated) and the full-precision model, with progress while its weights are read. */
async function prepare(loaded: LoadedModel, settings: EvalSettings, onProgress: ProgressFn) {
  const tokenizer = await tokenizerOf(loaded);
  const tokens = tokenizer.encode(settings.text, { addBos: false }).slice(0, settings.maxTokens);
  if (tokens.length < 2) throw new ModelLoadError('corrupt', 'The evaluation text is too short: it needs at least two tokens.');
  onProgress(0, 'reading the weights');
  const full = await forwardModelFromLoaded(loaded, { onTensor: (done, total) => onProgress(0.1 * (done / total), 'reading the weights') });
  return { tokenizer, tokens, full };
}

const windowOptions = (full: ForwardModel, s: EvalSettings): PerplexityOptions => ({ context: s.context, stride: s.stride, bos: full.config.bosId });

/** Progress from `from` to `from + span` over the windows of a pass, aborting it when the job is cancelled. */
function passHooks(from: number, span: number, onProgress: ProgressFn, isCancelled: () => boolean, label = '') {
  const controller = new AbortController();
  return {
    signal: controller.signal,
    onProgress: (done: number, total: number) => {
      onProgress(from + span * (done / total), `${label}window ${done} of ${total}`);
      if (isCancelled()) controller.abort();
    },
  };
}

/**
 * Compares the full-precision model with quantized variants of it, on the GPU (the full model
 * uploaded once) or with the CPU reference pass. A pass aborted by its hooks throws CancelledError.
 */
function createComparer(full: ForwardModel, rt: GpuRuntime | null) {
  const fullGpu = rt ? createGpuModel(rt, full, denseLinear, { label: 'eval.full' }) : null;
  return {
    async compare(variant: ReturnType<typeof quantizedVariant>, tokens: readonly number[], options: PerplexityOptions, hooks: ReturnType<typeof passHooks>): Promise<ModelComparison> {
      try {
        if (!rt || !fullGpu) return await compareCpu(full, variant.quantized, tokens, options, hooks);
        const quantized = createGpuModel(rt, full, variant.packer, { label: 'eval.quantized' });
        try {
          return await compareGpu(fullGpu, quantized, tokens, options, hooks);
        } finally {
          quantized.destroy();
        }
      } catch (e) {
        if (hooks.signal.aborted) throw new CancelledError();
        throw e;
      }
    },
    dispose: () => fullGpu?.destroy(),
  };
}

/** One group of a sensitivity sweep: only its tensors quantized, and what that did. */
export interface SensitivityRow {
  /** "block 3" or "MLP down projection". */
  readonly label: string;
  /** The block index (sweeps by layer) or the tensor role (sweeps by type). */
  readonly layer: number | null;
  readonly role: TensorRole | null;
  readonly params: number;
  readonly klMean: number;
  readonly pplQuantized: number;
}

export interface SensitivityResult {
  readonly by: 'layer' | 'type';
  readonly pplFull: number;
  readonly rows: readonly SensitivityRow[];
  readonly tokens: number;
  /** How the recipe's transform ran in every row (see EvalResult's protocol). */
  readonly transformExecution: TransformExecution;
  readonly backend: 'webgpu' | 'cpu';
  readonly elapsedMs: number;
}

/** The roles a sweep by type walks, in reading order, with their labels. */
const SWEEP_ROLES: readonly [TensorRole, string][] = [
  ['attn-q', 'attention query'], ['attn-k', 'attention key'], ['attn-v', 'attention value'], ['attn-qkv', 'fused attention q/k/v'],
  ['attn-o', 'attention output'], ['mlp-gate', 'MLP gate'], ['mlp-up', 'MLP up'], ['mlp-down', 'MLP down'],
];

/**
 * Per-layer (or per-type) sensitivity: quantizes one block (or one kind of projection across all
 * blocks) at a time with the recipe and measures the mean KL and perplexity against the
 * full-precision model on the same windows, so the most sensitive ones can be kept in full precision.
 */
export async function sensitivitySweep(
  loaded: LoadedModel, recipe: Recipe, settings: EvalSettings, by: SensitivityResult['by'], rt: GpuRuntime | null,
  onProgress: ProgressFn, isCancelled: () => boolean,
): Promise<SensitivityResult> {
  const started = performance.now();
  const { tokens, full } = await prepare(loaded, settings, onProgress);
  const options = windowOptions(full, settings);
  const present = new Set(loaded.summary.tensors.filter((t) => t.quantizable && quantizedInModel(t.name)).map((t) => t.role));
  const groups = by === 'layer'
    ? Array.from({ length: full.config.layers }, (_, layer) => ({ label: `block ${layer}`, layer, role: null, match: (name: string) => classifyTensor(name).layer === layer }))
    : SWEEP_ROLES.filter(([role]) => present.has(role)).map(([role, label]) => ({ label, layer: null, role, match: (name: string) => classifyTensor(name).role === role }));
  const comparer = createComparer(full, rt);
  const rows: SensitivityRow[] = [];
  let pplFull = NaN, transformExecution: TransformExecution = 'none';
  try {
    for (const [i, g] of groups.entries()) {
      const variant = quantizedVariant(loaded, full, recipe, g.match);
      transformExecution = variant.transformExecution; // the same for every group: it depends on the method
      const hooks = passHooks(0.1 + (0.9 * i) / groups.length, 0.9 / groups.length, onProgress, isCancelled, `${g.label}: `);
      const r = await comparer.compare(variant, tokens, options, hooks);
      pplFull = r.reference.ppl;
      rows.push({ label: g.label, layer: g.layer, role: g.role, params: variant.quantizedParams, klMean: r.comparison.klMean, pplQuantized: r.test.ppl });
    }
  } finally {
    comparer.dispose();
  }
  return { by, pplFull, rows, tokens: tokens.length, transformExecution, backend: rt ? 'webgpu' : 'cpu', elapsedMs: performance.now() - started };
}

/** Settings of side-by-side generation; temperature 0 is greedy. */
export interface GenerateSettings {
  readonly prompt: string;
  readonly steps: number;
  readonly temperature: number;
  readonly topP: number;
  readonly seed: number;
}

/** The same prompt continued by the full-precision and the quantized model (on the GPU when `rt` is given). */
export async function generatePair(
  loaded: LoadedModel, recipe: Recipe, settings: GenerateSettings, rt: GpuRuntime | null,
): Promise<{ full: string; quantized: string; promptTokens: number }> {
  const tokenizer = await tokenizerOf(loaded);
  const pair = await modelPair(loaded, recipe);
  const prompt = tokenizer.encode(settings.prompt);
  if (prompt.length === 0) throw new ModelLoadError('corrupt', 'The prompt is empty and the model has no BOS token to start from: type a prompt.');
  const stopAt = tokenizer.eosId === null ? [] : [tokenizer.eosId];
  const sampling = { temperature: settings.temperature, topP: settings.topP, seed: settings.seed, stopAt };
  const onCpu = (m: ForwardModel) => (settings.temperature === 0 ? greedyGenerate(m, prompt, settings.steps, stopAt) : sampleGenerate(m, prompt, settings.steps, sampling));
  const onGpu = async (packer: LinearPacker, label: string) => {
    const m = createGpuModel(rt as GpuRuntime, pair.full, packer, { label });
    try { return await generateGpu(m, prompt, settings.steps, sampling); } finally { m.destroy(); }
  };
  const [full, quantized] = rt
    ? [await onGpu(denseLinear, 'generate.full'), await onGpu(pair.packer, 'generate.quantized')]
    : [onCpu(pair.full), onCpu(pair.quantized)];
  return { full: tokenizer.decode(full), quantized: tokenizer.decode(quantized), promptTokens: prompt.length };
}
