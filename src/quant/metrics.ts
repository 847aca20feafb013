// quant: error statistics and fixed-bin histograms of original, dequantized and error values (CPU reference).
import { divRn, f32, F32_MAX } from '../lib/f32';

/** Bins per histogram; the GPU kernel takes the same number as an override constant. */
export const HISTOGRAM_BINS = 128;

/** Sums and extremes over a tensor x and its dequantized x̂ (error e = x - x̂ in f32). */
export interface ErrorSums {
  readonly n: number;
  readonly sumSqErr: number;
  readonly sumSqSignal: number;
  readonly maxAbsErr: number;
  /** min and max over x and x̂ together, the shared axis of the value histograms. */
  readonly valueMin: number;
  readonly valueMax: number;
}

/** Accumulates in f64 (the oracle); the GPU sums in f32 trees and agrees to ~1e-6 relative. */
export function errorSums(x: Float32Array, xhat: Float32Array): ErrorSums {
  let sumSqErr = 0, sumSqSignal = 0, maxAbsErr = 0, valueMin = Infinity, valueMax = -Infinity;
  for (let i = 0; i < x.length; i++) {
    const e = f32(x[i] - xhat[i]);
    sumSqErr += e * e;
    sumSqSignal += x[i] * x[i];
    maxAbsErr = Math.max(maxAbsErr, Math.abs(e));
    valueMin = Math.min(valueMin, x[i], xhat[i]);
    valueMax = Math.max(valueMax, x[i], xhat[i]);
  }
  return { n: x.length, sumSqErr, sumSqSignal, maxAbsErr, valueMin, valueMax };
}

/** Headline numbers: mean squared error, signal-to-quantization-noise ratio (dB), max |error|. */
export interface ErrorMetrics {
  readonly mse: number;
  readonly sqnrDb: number;
  readonly maxAbsErr: number;
}

export function errorMetrics(s: ErrorSums): ErrorMetrics {
  return {
    mse: s.sumSqErr / s.n,
    sqnrDb: s.sumSqErr === 0 ? Infinity : 10 * Math.log10(s.sumSqSignal / s.sumSqErr),
    maxAbsErr: s.maxAbsErr,
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
  const b = Math.floor(f32(f32(v - lo) * k));
  return Math.min(bins - 1, Math.max(0, b));
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
  const original = new Array<number>(bins).fill(0);
  const dequantized = new Array<number>(bins).fill(0);
  const error = new Array<number>(bins).fill(0);
  const kValue = binsPerUnit(s.valueMin, s.valueMax, bins);
  const errorLo = -s.maxAbsErr;
  const kError = binsPerUnit(errorLo, s.maxAbsErr, bins);
  for (let i = 0; i < x.length; i++) {
    original[binIndex(x[i], s.valueMin, kValue, bins)]++;
    dequantized[binIndex(xhat[i], s.valueMin, kValue, bins)]++;
    error[binIndex(f32(x[i] - xhat[i]), errorLo, kError, bins)]++;
  }
  return {
    bins, valueLo: s.valueMin, valueHi: s.valueMax, original, dequantized,
    errorLo, errorHi: s.maxAbsErr, error,
  };
}
