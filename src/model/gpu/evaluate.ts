// model (gpu): sliding-window perplexity and the fp32-vs-quantized KL statistics on the GPU, one submit per window, with progress and cancellation between windows.
import { storageUsage, uploadStorage } from '../../gpu/runtime';
import { compareByWindows, type ModelComparison, type PassHooks } from '../forward/compareModels';
import type { PerplexityOptions, PerplexityResult } from '../forward/perplexity';
import { perplexityWindows, windowRows } from '../forward/windows';
import { type Encoding, encodeKlRows, KL_ROW_WORDS } from './kernels';
import { GpuForwardModel, type GpuModel } from './model';

export type { PassHooks } from '../forward/compareModels';

/**
 * Perplexity of `tokens` on the GPU by the same sliding-window protocol as the CPU `perplexity`
 * (src/model/forward/perplexity.ts; same options, same result). One submit per window; only the
 * per-token NLL and top token come back.
 */
export async function perplexityGpu(model: GpuModel, tokens: readonly number[], options: PerplexityOptions, hooks: PassHooks = {}): Promise<PerplexityResult> {
  const windows = perplexityWindows(tokens.length, options, model.config.maxPositions);
  const perTokenNll = new Float32Array(tokens.length).fill(NaN);
  const lead = options.bos === null ? 0 : 1;
  let sum = 0, count = 0;
  for (const [index, w] of windows.entries()) {
    hooks.signal?.throwIfAborted();
    const { input, targets } = windowRows(tokens, w, options.bos);
    const { nll } = await model.score(input, targets);
    for (let i = w.scoreFrom; i < w.end; i++) {
      perTokenNll[i] = nll[i - w.begin + lead - 1];
      sum += perTokenNll[i];
      count++;
    }
    hooks.onProgress?.(index + 1, windows.length);
  }
  const nll = count ? sum / count : NaN;
  return { nll, tokens: count, ppl: Math.exp(nll), perTokenNll };
}

/** What {@link compareGpu} measures: the same as the CPU reference compareCpu. */
export type GpuComparison = ModelComparison;

function asForward(m: GpuModel): GpuForwardModel {
  if (!(m instanceof GpuForwardModel)) throw new TypeError('compareGpu needs models made by createGpuModel.');
  return m;
}

/** Per-row comparison words (KL_ROW_WORDS each) of one window: both models in one submit, chunk by chunk. */
async function compareWindow(ref: GpuForwardModel, test: GpuForwardModel, input: readonly number[], targets: Int32Array): Promise<Uint32Array> {
  const vocab = ref.config.vocabSize;
  const refCache = ref.contextCache(input.length), testCache = test.contextCache(input.length);
  ref.forwardEncoder.check(input, 0, refCache);
  test.forwardEncoder.check(input, 0, testCache);
  const chunk = Math.min(ref.forwardEncoder.chunk, test.forwardEncoder.chunk);
  const [bytes] = await ref.submit('compare', (e: Encoding) => {
    const targetBuffer = uploadStorage(ref.rt, new Uint32Array(targets.buffer, targets.byteOffset, targets.length), 'compare.targets');
    const out = ref.rt.pool.acquire(input.length * KL_ROW_WORDS * 4, storageUsage(), 'compare.rows');
    e.scratch.push(targetBuffer, out);
    for (let row0 = 0; row0 < input.length; row0 += chunk) {
      const part = input.slice(row0, row0 + chunk);
      const logitsA = ref.forwardEncoder.encodeHead(e, ref.forwardEncoder.encodeTrunk(e, refCache, part, row0), part.length);
      const logitsB = test.forwardEncoder.encodeHead(e, test.forwardEncoder.encodeTrunk(e, testCache, part, row0), part.length);
      encodeKlRows(e, logitsA, logitsB, targetBuffer, out, part.length, vocab, row0);
    }
    return [out];
  });
  return new Uint32Array(bytes, 0, input.length * KL_ROW_WORDS);
}

/**
 * Runs the reference (full-precision) model and the test (quantized) model over the same sliding
 * windows as {@link perplexityGpu} and compares their next-token distributions at every scored
 * token: the statistics of compareDistributions (KL mean and percentiles, top-1 agreement, Δp),
 * computed from per-position terms made on the GPU (f32: KL within ~1e-6 nats of the f64 value).
 * Both models must live on the same device and share the vocabulary.
 */
export async function compareGpu(
  reference: GpuModel, test: GpuModel, tokens: readonly number[], options: PerplexityOptions, hooks: PassHooks = {},
): Promise<GpuComparison> {
  const ref = asForward(reference), tst = asForward(test);
  if (ref.rt !== tst.rt) throw new Error('compareGpu needs both models on the same GPU device (create them with the same runtime).');
  if (ref.config.vocabSize !== tst.config.vocabSize) {
    throw new Error(`The models have different vocabularies (${ref.config.vocabSize} and ${tst.config.vocabSize} tokens); compare a model with its own quantized copy.`);
  }
  const maxPositions = Math.min(ref.config.maxPositions, tst.config.maxPositions);
  return compareByWindows(tokens, options, maxPositions, hooks, async (input, targets) => {
    const words = await compareWindow(ref, tst, input, targets);
    const floats = new Float32Array(words.buffer, words.byteOffset, words.length);
    return (row) => {
      const at = row * KL_ROW_WORDS;
      return { kl: floats[at + 6], top1A: words[at], top1B: words[at + 1], nllA: floats[at + 4], nllB: floats[at + 5] };
    };
  });
}
