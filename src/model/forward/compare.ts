// model: statistics comparing a quantized model's next-token distributions with the full-precision ones (llama.cpp's --kl-divergence set).
import { summarizePositions } from './compareRows';
import { argmax, logSoftmax } from './ops';

/** Order statistics of the per-position KL divergences, nats. */
export interface KlPercentiles {
  readonly p50: number;
  readonly p90: number;
  readonly p95: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}

export interface DistributionComparison {
  /** Positions compared. */
  readonly positions: number;
  /** Mean over positions of KL(P_fp || P_q) = sum_v p_fp(v) (log p_fp(v) - log p_q(v)), nats. */
  readonly klMean: number;
  /** Percentiles of the per-position KL by linear interpolation between order statistics (numpy's default). */
  readonly klPercentiles: KlPercentiles;
  /** Fraction of positions where both models put the same token first ("Same top p" in llama.cpp). */
  readonly top1Agreement: number;
  /** Mean of p_q(target) - p_fp(target), probability units (negative: the quantized model is less sure of the right token). */
  readonly meanDeltaP: number;
  /** Mean of |p_q(target) - p_fp(target)|. */
  readonly meanAbsDeltaP: number;
  /** Root mean square of p_q(target) - p_fp(target) ("RMS Δp" in llama.cpp). */
  readonly rmsDeltaP: number;
  /** Mean NLL of the targets under each model, nats; their difference is ln(PPL(Q) / PPL(base)). */
  readonly nllA: number;
  readonly nllB: number;
}

/** The terms of one position: KL(P_A || P_B), both top tokens and both NLLs of `target`, from logits rows at `start` (f64 on stable log-softmaxes). */
export function rowTerms(logitsA: Float32Array, logitsB: Float32Array, start: number, vocab: number, target: number) {
  const a = logSoftmax(logitsA, start, vocab), b = logSoftmax(logitsB, start, vocab);
  let sum = 0;
  for (let v = 0; v < vocab; v++) {
    const p = Math.exp(a[v]);
    if (p > 0) sum += p * (a[v] - b[v]);
  }
  // KL >= 0; rounding can leave -1e-17 for identical rows
  return { kl: Math.max(0, sum), top1A: argmax(a), top1B: argmax(b), nllA: -a[target], nllB: -b[target] };
}

/**
 * Compares two sets of next-token logits position by position: `logitsA` from the reference
 * (full-precision) model and `logitsB` from the quantized one, both Float32Array [positions, vocab],
 * and `targets` the actual next token at each position. The statistics are those llama.cpp's
 * perplexity tool prints with --kl-divergence (tools/perplexity/perplexity.cpp): KL(P_fp || P_q),
 * same top token, Δp of the correct token (summarised by summarizePositions).
 */
export function compareDistributions(logitsA: Float32Array, logitsB: Float32Array, targets: ArrayLike<number>): DistributionComparison {
  const positions = targets.length;
  if (positions === 0 || logitsA.length !== logitsB.length || logitsA.length % positions !== 0) {
    throw new RangeError(`Need two logit arrays of the same size [positions, vocab] and one target per position; got ${logitsA.length} and ${logitsB.length} logits for ${positions} targets.`);
  }
  const vocab = logitsA.length / positions;
  const terms = Array.from({ length: positions }, (_, t) => rowTerms(logitsA, logitsB, t * vocab, vocab, targets[t]));
  return summarizePositions({
    kl: terms.map((t) => t.kl), top1A: terms.map((t) => t.top1A), top1B: terms.map((t) => t.top1B),
    nllA: terms.map((t) => t.nllA), nllB: terms.map((t) => t.nllB),
  });
}
