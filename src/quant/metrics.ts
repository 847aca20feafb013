// quant: error statistics and fixed-bin histograms of original, dequantized and error values (CPU reference).
import { divRn, f32, F32_MAX } from '../lib/f32';

/** Bins per histogram; the GPU kernel takes the same number as an override constant. */
export const HISTOGRAM_BINS = 128;

/** Bins of the fine |error| histogram behind the percentile metrics (the WGSL constant ABS_BINS). */
export const ABS_ERROR_BINS = 4096;

/**
 * Percentiles of |error| reported in the metrics, as integer fractions num / den so the rank
 * ceil(n · num / den) is exact (nearest-rank, like the percentile clip).
 */
export const ERROR_PERCENTILES = { p99: [99, 100], p999: [999, 1000] } as const;

/**
 * Sums, extremes and |error| percentiles over a tensor x and its dequantized x̂ (error
 * e = x − x̂ in f32): everything errorMetrics needs. The GPU fills the same fields from f32
 * reduction trees (shaders/error_stats.wgsl); the percentiles and extremes agree exactly.
 */
export interface ErrorSums {
  readonly n: number;
  /** Σ e². */
  readonly sumSqErr: number;
  /** Σ x². */
  readonly sumSqSignal: number;
  /** Σ x̂². */
  readonly sumSqDequant: number;
  /**
   * Σ e · (x + x̂) = Σ x² − Σ x̂², summed term by term so it keeps its precision when the two
   * norms are close (it feeds 1 − cos, see errorMetrics).
   */
  readonly sumSqDiff: number;
  /** Σ x (its mean centres the moments). */
  readonly sumSignal: number;
  /** Σ (x − μ)² and Σ (x − μ)⁴ with μ = Σ x / n: centred in a second pass (the kurtosis). */
  readonly sumCentred2: number;
  readonly sumCentred4: number;
  readonly maxAbsErr: number;
  /** Upper bounds of the 99th and 99.9th percentile of |e| (absErrorPercentile). */
  readonly absErrP99: number;
  readonly absErrP999: number;
  /** min and max over x and x̂ together, the shared axis of the value histograms. */
  readonly valueMin: number;
  readonly valueMax: number;
}

/**
 * Accumulates in f64 (the oracle) in two passes: sums and extremes, then the moments centred on
 * the mean and the fine |e| histogram on [0, max |e|]. The GPU sums in f32 trees and agrees to
 * ~1e-6 relative (tolerances in tests/gpu/quant-int.test.ts).
 * The loops read each element into locals once, and reach Math.min/Math.max (which carry the
 * NaN and -0 rules) only when an element may change an extreme.
 */
export function errorSums(x: Float32Array, xhat: Float32Array): ErrorSums {
  const n = x.length;
  let sumSqErr = 0, sumSqSignal = 0, sumSqDequant = 0, sumSqDiff = 0, sumSignal = 0;
  let maxAbsErr = 0, valueMin = Infinity, valueMax = -Infinity;
  for (let i = 0; i < n; i++) {
    const a = x[i], b = xhat[i];
    const e = f32(a - b);
    sumSqErr += e * e;
    sumSqSignal += a * a;
    sumSqDequant += b * b;
    sumSqDiff += e * (a + b);
    sumSignal += a;
    const ae = Math.abs(e);
    if (!(ae <= maxAbsErr)) maxAbsErr = Math.max(maxAbsErr, ae);
    if (!(a > valueMin && b > valueMin)) valueMin = Math.min(valueMin, a, b);
    if (!(a < valueMax && b < valueMax)) valueMax = Math.max(valueMax, a, b);
  }
  const mean = n ? sumSignal / n : 0;
  // Second pass: the centred moments and the fine |e| counts (absErrorHistogram's binning).
  let sumCentred2 = 0, sumCentred4 = 0;
  const abs = new Float64Array(ABS_ERROR_BINS);
  const kAbs = binsPerUnit(0, maxAbsErr, ABS_ERROR_BINS);
  for (let i = 0; i < n; i++) {
    const a = x[i];
    const d = a - mean;
    const d2 = d * d;
    sumCentred2 += d2;
    sumCentred4 += d2 * d2;
    abs[binIndex(Math.abs(f32(a - xhat[i])), 0, kAbs, ABS_ERROR_BINS)]++;
  }
  const counts = Array.from(abs);
  return {
    n, sumSqErr, sumSqSignal, sumSqDequant, sumSqDiff, sumSignal, sumCentred2, sumCentred4, maxAbsErr,
    absErrP99: absErrorPercentile(counts, maxAbsErr, ...ERROR_PERCENTILES.p99),
    absErrP999: absErrorPercentile(counts, maxAbsErr, ...ERROR_PERCENTILES.p999),
    valueMin, valueMax,
  };
}

/**
 * Counts of |e| in ABS_ERROR_BINS equal bins on [0, maxAbsErr], binned exactly like the shader:
 * k = binsPerUnit(0, maxAbsErr, bins), bin = binIndex(|e|, 0, k, bins), every step in f32.
 */
export function absErrorHistogram(x: Float32Array, xhat: Float32Array, maxAbsErr: number, bins = ABS_ERROR_BINS): number[] {
  const counts = new Float64Array(bins);
  const k = binsPerUnit(0, maxAbsErr, bins);
  for (let i = 0; i < x.length; i++) counts[binIndex(Math.abs(f32(x[i] - xhat[i])), 0, k, bins)]++;
  return Array.from(counts);
}

/**
 * The num/den percentile of |e| from its fine histogram: the upper edge of the first bin whose
 * cumulative count reaches the nearest rank r = ceil(n · num / den). Every element of bin j has
 * f32(|e| · k) < j + 1, so |e| < (j + 1) / k: the edge is an upper bound of the r-th smallest
 * |e| and at most one bin width (max / bins, up to f32 rounding of k) above it. The last bin
 * (which also holds |e| = max) reports max itself. Used by both backends on the same counts.
 */
export function absErrorPercentile(counts: ArrayLike<number>, maxAbsErr: number, num: number, den: number): number {
  let n = 0;
  for (let j = 0; j < counts.length; j++) n += counts[j];
  if (n === 0) return 0;
  const bins = counts.length;
  const k = binsPerUnit(0, maxAbsErr, bins);
  const rank = Math.max(1, Math.ceil((n * num) / den)); // exact: n * num < 2^53 and a non-integer quotient is >= 1/den from an integer
  let cumulative = 0;
  for (let j = 0; j < bins; j++) {
    cumulative += counts[j];
    if (cumulative >= rank) return j === bins - 1 || k === 0 ? maxAbsErr : Math.min(maxAbsErr, (j + 1) / k);
  }
  return maxAbsErr;
}

/**
 * Headline numbers of a quantization error. Conventions:
 * - SQNR = 10 log10(Σ x² / Σ e²) dB (+∞ when lossless).
 * - Cosine similarity of x and x̂ as 1 − cos = (Σ e² − (‖x‖ − ‖x̂‖)²) / (2 ‖x‖ ‖x̂‖), with
 *   ‖x‖ − ‖x̂‖ = Σ e(x + x̂) / (‖x‖ + ‖x̂‖): every term is a sum of like-signed terms or a
 *   product of them, so it keeps f32 precision near cos = 1 (Σ x·x̂ / ‖x‖‖x̂‖ from f32 sums would
 *   lose ~1e-7 absolute, i.e. most digits of 1 − cos at 8 bits). NaN when x or x̂ is all zeros.
 * - Relative Frobenius error ‖x − x̂‖ / ‖x‖ (0 when both are zero, +∞ when only x is).
 * - Kurtosis: Pearson's, not excess: n Σ (x − μ)⁴ / (Σ (x − μ)²)², 3 for a Gaussian,
 *   1.8 for a uniform, 6 for a Laplace; NaN for a constant tensor.
 */
export interface ErrorMetrics {
  readonly mse: number;
  readonly rmse: number;
  readonly sqnrDb: number;
  readonly maxAbsErr: number;
  /** Upper bounds of the 99th / 99.9th percentile of |e| (within max |e| / ABS_ERROR_BINS). */
  readonly p99AbsErr: number;
  readonly p999AbsErr: number;
  readonly cosine: number;
  /** 1 − cosine, computed directly (cosine itself rounds it away near 1). */
  readonly oneMinusCosine: number;
  readonly relFrobenius: number;
  readonly kurtosis: number;
}

export function errorMetrics(s: ErrorSums): ErrorMetrics {
  const mse = s.sumSqErr / s.n;
  const normX = Math.sqrt(s.sumSqSignal), normXhat = Math.sqrt(s.sumSqDequant);
  let oneMinusCosine = NaN;
  if (normX > 0 && normXhat > 0) {
    const normGap = s.sumSqDiff / (normX + normXhat);
    oneMinusCosine = Math.min(2, Math.max(0, (s.sumSqErr - normGap * normGap) / (2 * normX * normXhat)));
  }
  return {
    mse,
    rmse: Math.sqrt(mse),
    sqnrDb: s.sumSqErr === 0 ? Infinity : 10 * Math.log10(s.sumSqSignal / s.sumSqErr),
    maxAbsErr: s.maxAbsErr,
    p99AbsErr: s.absErrP99,
    p999AbsErr: s.absErrP999,
    cosine: 1 - oneMinusCosine,
    oneMinusCosine,
    relFrobenius: s.sumSqErr === 0 ? 0 : Math.sqrt(s.sumSqErr / s.sumSqSignal),
    kurtosis: s.sumCentred2 > 0 ? (s.n * s.sumCentred4) / (s.sumCentred2 * s.sumCentred2) : NaN,
  };
}

/**
 * Bins per unit of value: bins / (hi - lo) as a correctly rounded f32, 0 for an empty range, and
 * capped at the largest f32 so a range narrower than bins / F32_MAX cannot produce 0 * Infinity.
 */
export function binsPerUnit(lo: number, hi: number, bins: number): number {
  const width = f32(hi - lo);
  return width > 0 ? Math.min(divRn(bins, width), F32_MAX) : 0;
}

/** Bin of value v: floor((v - lo) * k) clamped to [0, bins - 1], every step in f32 like the shader. */
export function binIndex(v: number, lo: number, k: number, bins: number): number {
  const t = f32(f32(v - lo) * k);
  // = min(bins - 1, max(0, floor(t))), NaN for NaN; `| 0` floors the common in-range case.
  if (t >= 0 && t < bins) return t | 0;
  return t >= bins ? bins - 1 : t < 0 ? 0 : NaN;
}

/** Counts of original and dequantized values on one shared axis, and of the error on [-max, max]. */
export interface Histograms {
  readonly bins: number;
  readonly valueLo: number;
  readonly valueHi: number;
  readonly original: number[];
  readonly dequantized: number[];
  readonly errorLo: number;
  readonly errorHi: number;
  readonly error: number[];
}

export function histograms(x: Float32Array, xhat: Float32Array, s: ErrorSums, bins = HISTOGRAM_BINS): Histograms {
  // Typed counters: a packed, fixed-type store for the hot increments.
  const original = new Float64Array(bins);
  const dequantized = new Float64Array(bins);
  const error = new Float64Array(bins);
  const lo = s.valueMin;
  const kValue = binsPerUnit(lo, s.valueMax, bins);
  const errorLo = -s.maxAbsErr;
  const kError = binsPerUnit(errorLo, s.maxAbsErr, bins);
  for (let i = 0; i < x.length; i++) {
    const a = x[i], b = xhat[i];
    original[binIndex(a, lo, kValue, bins)]++;
    dequantized[binIndex(b, lo, kValue, bins)]++;
    error[binIndex(f32(a - b), errorLo, kError, bins)]++;
  }
  return {
    bins, valueLo: s.valueMin, valueHi: s.valueMax, original: Array.from(original), dequantized: Array.from(dequantized),
    errorLo, errorHi: s.maxAbsErr, error: Array.from(error),
  };
}
