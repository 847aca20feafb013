// model: statistics comparing a quantized model's next-token distributions with the full-precision ones (llama.cpp's --kl-divergence set).
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

/** Linear-interpolation percentile (q in [0, 1]) of an ascending array. */
function percentile(sorted: Float64Array, q: number): number {
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos), hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/**
 * Compares two sets of next-token logits position by position: `logitsA` from the reference
 * (full-precision) model and `logitsB` from the quantized one, both Float32Array [positions, vocab],
 * and `targets` the actual next token at each position. The statistics are those llama.cpp's
 * perplexity tool prints with --kl-divergence (tools/perplexity/perplexity.cpp): KL(P_fp || P_q),
 * same top token, Δp of the correct token. Sums run in f64 on stable log-softmaxes.
 */
export function compareDistributions(logitsA: Float32Array, logitsB: Float32Array, targets: ArrayLike<number>): DistributionComparison {
  const positions = targets.length;
  if (positions === 0 || logitsA.length !== logitsB.length || logitsA.length % positions !== 0) {
    throw new RangeError(`Need two logit arrays of the same size [positions, vocab] and one target per position; got ${logitsA.length} and ${logitsB.length} logits for ${positions} targets.`);
  }
  const vocab = logitsA.length / positions;
  const kl = new Float64Array(positions);
  let sameTop = 0, dp = 0, absDp = 0, sqDp = 0, nllA = 0, nllB = 0;
  for (let t = 0; t < positions; t++) {
    const start = t * vocab;
    const a = logSoftmax(logitsA, start, vocab), b = logSoftmax(logitsB, start, vocab);
    let sum = 0;
    for (let v = 0; v < vocab; v++) {
      const p = Math.exp(a[v]);
      if (p > 0) sum += p * (a[v] - b[v]);
    }
    kl[t] = Math.max(0, sum); // KL >= 0; rounding can leave -1e-17 for identical rows
    if (argmax(a) === argmax(b)) sameTop++;
    const target = targets[t];
    const d = Math.exp(b[target]) - Math.exp(a[target]);
    dp += d; absDp += Math.abs(d); sqDp += d * d;
    nllA -= a[target]; nllB -= b[target];
  }
  let klSum = 0;
  for (const v of kl) klSum += v;
  const sorted = kl.slice().sort();
  return {
    positions,
    klMean: klSum / positions,
    klPercentiles: {
      p50: percentile(sorted, 0.5), p90: percentile(sorted, 0.9), p95: percentile(sorted, 0.95),
      p99: percentile(sorted, 0.99), p999: percentile(sorted, 0.999), max: sorted[positions - 1],
    },
    top1Agreement: sameTop / positions,
    meanDeltaP: dp / positions,
    meanAbsDeltaP: absDp / positions,
    rmsDeltaP: Math.sqrt(sqDp / positions),
    nllA: nllA / positions,
    nllB: nllB / positions,
  };
}
