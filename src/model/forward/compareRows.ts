// model: llama.cpp's KL statistics (compareDistributions' summary) from per-position terms computed elsewhere, e.g. on the GPU.
import type { DistributionComparison } from './compare';

/** Per-position terms of a comparison of reference model A with model B, one entry per scored position. */
export interface PositionTerms {
  /** KL(P_A || P_B) of each position, nats (>= 0). */
  readonly kl: ArrayLike<number>;
  /** Most likely token of each position under A and under B. */
  readonly top1A: ArrayLike<number>;
  readonly top1B: ArrayLike<number>;
  /** −log p(target) under A and under B, nats. */
  readonly nllA: ArrayLike<number>;
  readonly nllB: ArrayLike<number>;
}

/** Linear-interpolation percentile (q in [0, 1]) of an ascending array, as numpy's default. */
function percentile(sorted: Float64Array, q: number): number {
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos), hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/**
 * The statistics of compareDistributions (src/model/forward/compare.ts) from per-position terms:
 * mean and percentiles of KL, top-1 agreement, Δp = p_B(target) − p_A(target) = e^−nllB − e^−nllA
 * (mean, mean |Δp|, RMS) and the mean NLLs. Sums in f64.
 */
export function summarizePositions(t: PositionTerms): DistributionComparison {
  const positions = t.kl.length;
  if (positions === 0 || [t.top1A, t.top1B, t.nllA, t.nllB].some((a) => a.length !== positions)) {
    throw new RangeError(`Need the same number (> 0) of KL, top-1 and NLL terms; got ${positions} KL terms.`);
  }
  let klSum = 0, sameTop = 0, dp = 0, absDp = 0, sqDp = 0, nllA = 0, nllB = 0;
  for (let i = 0; i < positions; i++) {
    klSum += t.kl[i];
    if (t.top1A[i] === t.top1B[i]) sameTop++;
    const d = Math.exp(-t.nllB[i]) - Math.exp(-t.nllA[i]);
    dp += d; absDp += Math.abs(d); sqDp += d * d;
    nllA += t.nllA[i]; nllB += t.nllB[i];
  }
  const sorted = Float64Array.from(t.kl).sort();
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
