// engine: what quantization does to a model's predictions: perplexity of the full-precision and the quantized model over sliding windows, llama.cpp's KL statistics, per-token loss change, side-by-side generation; on the GPU when there is one.
import type { GpuRuntime } from '../gpu/runtime';
import type { DistributionComparison } from '../model/forward/compare';
import { compareCpu, type ModelComparison } from '../model/forward/compareModels';
import { greedyGenerate, sampleGenerate } from '../model/forward/generate';
import type { PerplexityOptions } from '../model/forward/perplexity';
import type { ForwardModel } from '../model/forward/weights';
import { compareGpu, createGpuModel, denseLinear, generateGpu, type LinearPacker } from '../model/gpu';
import type { LoadedModel } from '../model/load';
import type { Tokenizer } from '../model/tokenizer';
import { ModelLoadError } from '../model/types';
import type { Recipe } from '../spec/schema';
import { CancelledError, type ProgressFn } from './experiment';
import { modelPair } from './modelPair';

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
    /** How many tensors the recipe was applied to, their parameters and weighted bits per weight. */
    readonly quantizedTensors: number;
    readonly quantizedParams: number;
    readonly bitsPerWeight: number;
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
 * (`rt`) the quantized model runs from packed low-bit weights; on the CPU from dequantized ones.
 */
export async function evaluateRecipe(
  loaded: LoadedModel, recipe: Recipe, settings: EvalSettings, rt: GpuRuntime | null,
  onProgress: ProgressFn, isCancelled: () => boolean,
): Promise<EvalResult> {
  const started = performance.now();
  const tokenizer = await tokenizerOf(loaded);
  const tokens = tokenizer.encode(settings.text, { addBos: false }).slice(0, settings.maxTokens);
  if (tokens.length < 2) throw new ModelLoadError('corrupt', 'The evaluation text is too short: it needs at least two tokens.');
  onProgress(0, 'reading the weights');
  const pair = await modelPair(loaded, recipe, undefined, (done, total) => onProgress(0.1 * (done / total), 'reading the weights'));
  const options: PerplexityOptions = { context: settings.context, stride: settings.stride, bos: pair.full.config.bosId };
  const controller = new AbortController();
  const hooks = {
    signal: controller.signal,
    onProgress: (done: number, total: number) => {
      onProgress(0.1 + 0.9 * (done / total), `window ${done} of ${total}`);
      if (isCancelled()) controller.abort();
    },
  };
  let result: ModelComparison;
  try {
    result = rt ? await compareOnGpu(rt, pair, tokens, options, hooks) : await compareCpu(pair.full, pair.quantized, tokens, options, hooks);
  } catch (e) {
    if (controller.signal.aborted) throw new CancelledError();
    throw e;
  }
  const { comparison, reference, test } = result;
  const perToken = tokens.slice(0, PER_TOKEN_LIMIT).map((id, i): TokenDelta => {
    const d = test.perTokenNll[i] - reference.perTokenNll[i];
    return { text: tokenizer.decodeToken(id), deltaNll: Number.isNaN(d) ? null : d };
  });
  return {
    protocol: {
      textLabel: settings.textLabel, tokens: tokens.length, scored: comparison.positions, context: settings.context, stride: settings.stride,
      bos: options.bos !== null, quantizedTensors: pair.quantizedTensors, quantizedParams: pair.quantizedParams, bitsPerWeight: pair.bitsPerWeight,
    },
    pplFull: reference.ppl,
    pplQuantized: test.ppl,
    comparison,
    perToken,
    backend: rt ? 'webgpu' : 'cpu',
    elapsedMs: performance.now() - started,
  };
}

type Pair = Awaited<ReturnType<typeof modelPair>>;

async function compareOnGpu(rt: GpuRuntime, pair: Pair, tokens: readonly number[], options: PerplexityOptions, hooks: Parameters<typeof compareGpu>[4]) {
  const full = createGpuModel(rt, pair.full, denseLinear, { label: 'eval.full' });
  const quantized = createGpuModel(rt, pair.full, pair.packer, { label: 'eval.quantized' });
  try {
    return await compareGpu(full, quantized, tokens, options, hooks);
  } finally {
    full.destroy();
    quantized.destroy();
  }
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
