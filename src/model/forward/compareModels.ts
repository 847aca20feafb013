// model: the CPU reference of comparing a full-precision model with its quantized copy over the perplexity windows (what compareGpu does on the GPU).
import type { DistributionComparison } from './compare';
import { rowTerms } from './compare';
import { summarizePositions } from './compareRows';
import type { PerplexityOptions, PerplexityResult } from './perplexity';
import { forwardLogits } from './session';
import type { ForwardModel } from './weights';
import { perplexityWindows, windowRows } from './windows';

/** Progress and cancellation of a pass over many windows. */
export interface PassHooks {
  /** Checked before each window: an aborted signal stops the pass with its AbortError. */
  readonly signal?: AbortSignal;
  /** Called after each window with the windows done and the total. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** llama.cpp's KL statistics plus both models' perplexities and the per-token KL. */
export interface ModelComparison {
  readonly comparison: DistributionComparison;
  /** KL(P_reference || P_test) of each scored token's prediction, nats, Float32Array [tokens]; NaN where unscored. */
  readonly perTokenKl: Float32Array;
  readonly reference: PerplexityResult;
  readonly test: PerplexityResult;
}

/** The terms of one scored token: KL(P_reference || P_test) and each model's top token and NLL of the token (nats). */
export interface ScoredTerms {
  readonly kl: number;
  readonly top1A: number;
  readonly top1B: number;
  readonly nllA: number;
  readonly nllB: number;
}

/**
 * Compares one window: given its input rows ([BOS,] text tokens) and targets (windowRows), runs both
 * models and returns the terms of the token predicted by input row `row`, for each scored row.
 */
export type WindowComparer = (input: readonly number[], targets: Int32Array) => Promise<(row: number) => ScoredTerms>;

/** Mean NLL of the scored tokens as a PerplexityResult. */
export function perplexityOf(perTokenNll: Float32Array, scored: readonly number[]): PerplexityResult {
  const mean = scored.reduce((a, b) => a + b, 0) / scored.length;
  return { nll: mean, tokens: scored.length, ppl: Math.exp(mean), perTokenNll };
}

/**
 * The window loop of a model comparison (compareCpu, compareGpu): walks the sliding windows of
 * `options` over `tokens` (checking hooks.signal before each window and reporting progress after),
 * lets `compareWindow` compare the models on each, and gathers every scored token's terms into
 * per-token KL and NLL arrays (Float32Array [tokens.length], NaN where unscored), both perplexities
 * and the summary statistics.
 */
export async function compareByWindows(
  tokens: readonly number[], options: PerplexityOptions, maxPositions: number, hooks: PassHooks, compareWindow: WindowComparer,
): Promise<ModelComparison> {
  const windows = perplexityWindows(tokens.length, options, maxPositions);
  const lead = options.bos === null ? 0 : 1;
  const n = tokens.length;
  const perTokenKl = new Float32Array(n).fill(NaN);
  const nllA = new Float32Array(n).fill(NaN), nllB = new Float32Array(n).fill(NaN);
  const kl: number[] = [], topA: number[] = [], topB: number[] = [], scoredA: number[] = [], scoredB: number[] = [];
  for (const [index, w] of windows.entries()) {
    hooks.signal?.throwIfAborted();
    const { input, targets } = windowRows(tokens, w, options.bos);
    const termsAt = await compareWindow(input, targets);
    for (let i = w.scoreFrom; i < w.end; i++) {
      const t = termsAt(i - w.begin + lead - 1); // token i is predicted by the input row before its own
      perTokenKl[i] = t.kl; nllA[i] = t.nllA; nllB[i] = t.nllB;
      kl.push(t.kl); topA.push(t.top1A); topB.push(t.top1B); scoredA.push(t.nllA); scoredB.push(t.nllB);
    }
    hooks.onProgress?.(index + 1, windows.length);
  }
  return {
    comparison: summarizePositions({ kl, top1A: topA, top1B: topB, nllA: scoredA, nllB: scoredB }),
    perTokenKl,
    reference: perplexityOf(nllA, scoredA),
    test: perplexityOf(nllB, scoredB),
  };
}

/**
 * Runs `reference` and `test` over the sliding windows of `perplexity` and compares their
 * next-token distributions at every scored token (rowTerms, f64). Yields to the event loop between
 * windows so a cancel can arrive; same result as compareGpu up to its f32 KL.
 */
export async function compareCpu(
  reference: ForwardModel, test: ForwardModel, tokens: readonly number[], options: PerplexityOptions, hooks: PassHooks = {},
): Promise<ModelComparison> {
  const vocab = reference.config.vocabSize;
  return compareByWindows(tokens, options, reference.config.maxPositions, hooks, async (input, targets) => {
    await new Promise((resolve) => setTimeout(resolve, 0)); // the forward passes block: let a cancel arrive first
    hooks.signal?.throwIfAborted();
    const [a, b] = [forwardLogits(reference, input), forwardLogits(test, input)];
    return (row) => rowTerms(a, b, row * vocab, vocab, targets[row]);
  });
}
