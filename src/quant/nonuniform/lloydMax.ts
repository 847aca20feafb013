// quant: Lloyd-Max codebooks fitted to a tensor (1-D k-means) and the best uniform midrise quantizer, CPU reference.
import { assert } from '../../lib/assert';
import { f32 } from '../../lib/f32';
import { type Codebook, midpointThresholds, thresholdCodebook } from '../formats/codebooks';
import { FP16 } from '../formats/fp';
import { type GroupLayout, groupIndices, groupOf } from '../groups';
import { packCodes, unpackCode } from '../pack';
import { type SortedSamples, countAtMost, midpoints, quantizerSse, sortSamples } from './sorted';

/** Iteration cap of {@link fitLloydMax}; Gaussian data at 4 bits settles well before it. */
export const LLOYD_MAX_ITER = 10_000;

/** A fitted codebook: levels ascending (f64, before storage rounding), how the fit ended, and its SSE. */
export interface LloydMaxFit {
  readonly levels: number[];
  readonly iterations: number;
  /** True when the partition stopped changing (a fixed point of Lloyd's iteration). */
  readonly converged: boolean;
  /** Sum of squared errors of `levels` with midpoint thresholds, over the fitted samples. */
  readonly sse: number;
}

/**
 * Lloyd's algorithm in one dimension (Lloyd 1957/1982; Max 1960) on the empirical distribution.
 * Init: level k = the sample at rank floor((k + 1/2) n / L) (the medians of L equal-count cells).
 * Step: thresholds = midpoints of adjacent levels; each level = mean of the samples in its cell
 * (x in (t_{k-1}, t_k]); an empty cell keeps its level. Stop when the partition (cell boundaries as
 * sample indices) repeats — then the levels repeat too, an exact fixed point — or after `maxIter`.
 * Each step never increases the squared error, but the fixed point can be local ([0, 1, 2, 3] with two
 * levels stops at (1, 3), not (0.5, 2.5)); on large samples, translating all levels is a nearly flat
 * direction, so levels can sit ~0.01 from the density's optimum while the MSE is within 0.5%.
 * Sums are f64 over prefix sums, O(L log n) per step.
 */
export function fitLloydMaxSorted(s: SortedSamples, count: number, maxIter = LLOYD_MAX_ITER): LloydMaxFit {
  assert(count >= 1, `fitLloydMax: need at least one level, got ${count}`);
  const n = s.v.length;
  if (n === 0) return { levels: new Array<number>(count).fill(0), iterations: 0, converged: true, sse: 0 };
  let levels = Array.from({ length: count }, (_, k) => s.v[Math.min(n - 1, Math.floor(((k + 0.5) * n) / count))]);
  let bounds: number[] = [];
  let iterations = 0, converged = false;
  while (iterations < maxIter) {
    const next = midpoints(levels).map((t) => countAtMost(s, t));
    if (next.length === bounds.length && next.every((b, i) => b === bounds[i])) { converged = true; break; }
    bounds = next;
    iterations++;
    levels = levels.map((old, k) => {
      const lo = k === 0 ? 0 : bounds[k - 1], hi = k === count - 1 ? n : bounds[k];
      return hi > lo ? (s.s1[hi] - s.s1[lo]) / (hi - lo) : old;
    });
  }
  return { levels, iterations, converged, sse: quantizerSse(s, levels, midpoints(levels)) };
}

/** {@link fitLloydMaxSorted} on unsorted values. */
export function fitLloydMax(values: ArrayLike<number>, count: number, maxIter = LLOYD_MAX_ITER): LloydMaxFit {
  return fitLloydMaxSorted(sortSamples(values), count, maxIter);
}

/** The best symmetric midrise uniform quantizer: levels (k + 1/2)·step, k = -L/2 .. L/2 - 1. */
export interface UniformFit {
  readonly step: number;
  readonly levels: number[];
  readonly sse: number;
}

/** Levels of the symmetric midrise uniform quantizer with `count` (even) levels. */
export function midriseLevels(count: number, step: number): number[] {
  return Array.from({ length: count }, (_, i) => (i - count / 2 + 0.5) * step);
}

/**
 * Step of the symmetric midrise quantizer with least squared error on the samples (Max 1960,
 * Table II is this for N(0, 1)). Search: 256-point grid on (0, 2·absmax/(L-1)] (at the top the
 * outer levels sit on ±absmax), then 100 golden-section steps around the best grid point.
 */
export function fitUniformMidrise(s: SortedSamples, count: number): UniformFit {
  assert(count >= 2 && count % 2 === 0, `fitUniformMidrise: need an even level count, got ${count}`);
  const n = s.v.length;
  const absmax = n ? Math.max(Math.abs(s.v[0]), Math.abs(s.v[n - 1])) : 0;
  const sseOf = (step: number): number => { const l = midriseLevels(count, step); return quantizerSse(s, l, midpoints(l)); };
  if (absmax === 0) return { step: 0, levels: midriseLevels(count, 0), sse: 0 };
  const top = (2 * absmax) / (count - 1), grid = 256;
  let best = 1, bestSse = Infinity;
  for (let i = 1; i <= grid; i++) {
    const e = sseOf((top * i) / grid);
    if (e < bestSse) { bestSse = e; best = i; }
  }
  let lo = (top * (best - 1)) / grid, hi = (top * Math.min(grid, best + 1)) / grid;
  const g = (Math.sqrt(5) - 1) / 2;
  for (let it = 0; it < 100; it++) {
    const a = hi - g * (hi - lo), b = lo + g * (hi - lo);
    if (sseOf(a) <= sseOf(b)) hi = b; else lo = a;
  }
  const mid = (lo + hi) / 2;
  const step = sseOf(mid) <= bestSse ? mid : (top * best) / grid;
  return { step, levels: midriseLevels(count, step), sse: sseOf(step) };
}

/** How a fitted codebook's levels are stored. */
export type CodebookType = 'fp32' | 'fp16';

/** Options of {@link quantizeLloydMax}. */
export interface LloydMaxOptions {
  /** Code width 1..8: 2^bits levels. */
  readonly bits: number;
  /** One codebook for the whole tensor, or one per layout group. */
  readonly scope: 'tensor' | 'group';
  readonly codebookType: CodebookType;
  readonly maxIter?: number;
}

/** A Lloyd-Max coded tensor: packed codes and the stored codebook(s), 2^bits levels each, ascending. */
export interface LloydMaxQuantized {
  readonly options: LloydMaxOptions;
  readonly layout: GroupLayout;
  readonly n: number;
  readonly words: Uint32Array;
  /** Codebook c occupies [c·2^bits, (c+1)·2^bits); one codebook (tensor) or one per group. */
  readonly codebooks: Float32Array;
  /** Iterations each fit ran. */
  readonly iterations: number[];
}

/** The stored level: RNE to fp16 (saturating) or f32. */
function storeLevel(v: number, type: CodebookType): number {
  return type === 'fp16' ? FP16.round(v) : f32(v);
}

/**
 * A codebook from ascending stored levels. Encode: the strict-`>` tree on f32 midpoints of adjacent
 * levels, i.e. nearest level, a value exactly on a midpoint taking the lower code (NaN: code 0).
 */
export function storedCodebook(id: string, levels: readonly number[]): Codebook {
  const cb = thresholdCodebook(id, levels, midpointThresholds(levels));
  return { ...cb, bits: Math.max(1, Math.ceil(Math.log2(levels.length))) }; // code width, also for L not a power of 2
}

/**
 * Fits Lloyd-Max codebooks (per tensor or per group), stores their levels (fp32 or fp16, which can
 * merge two levels: the codebook then just holds a repeat), and encodes every element with the stored
 * codebook, so what dequantizes is exactly what is stored.
 */
export function quantizeLloydMax(x: Float32Array, layout: GroupLayout, options: LloydMaxOptions): LloydMaxQuantized {
  assert(layout.lines * layout.lineLen === x.length, 'quantizeLloydMax: layout does not match tensor size');
  assert(options.bits >= 1 && options.bits <= 8, `quantizeLloydMax: bits must be 1..8, got ${options.bits}`);
  const L = 1 << options.bits;
  const groups = options.scope === 'tensor' ? [Array.from({ length: x.length }, (_, i) => i)]
    : Array.from({ length: layout.groupCount }, (_, g) => groupIndices(layout, g));
  const codebooks = new Float32Array(groups.length * L);
  const codes = new Uint8Array(x.length);
  const iterations: number[] = [];
  groups.forEach((idx, c) => {
    const fit = fitLloydMax(idx.map((i) => x[i]), L, options.maxIter);
    iterations.push(fit.iterations);
    const stored = fit.levels.map((v) => storeLevel(v, options.codebookType));
    codebooks.set(stored, c * L);
    const cb = storedCodebook('lloyd-max', stored);
    for (const i of idx) codes[i] = cb.encode(x[i]);
  });
  return { options, layout, n: x.length, words: packCodes(codes, options.bits), codebooks, iterations };
}

/**
 * The stored codebook {@link quantizeLloydMax} uses for one set of values (scope 'tensor': all of x):
 * the Lloyd-Max fit of 2^bits levels, each rounded to `codebookType`, ascending. For kernels that fit
 * on the CPU and encode elsewhere with `storedCodebook`.
 */
export function lloydMaxStoredLevels(values: ArrayLike<number>, bits: number, codebookType: CodebookType, maxIter?: number): number[] {
  assert(bits >= 1 && bits <= 8, `lloydMaxStoredLevels: bits must be 1..8, got ${bits}`);
  return fitLloydMax(values, 1 << bits, maxIter).levels.map((v) => storeLevel(v, codebookType));
}

/** Dequantizes: each code's level in its codebook (no scale: levels are in the tensor's units). */
export function dequantizeLloydMax(q: LloydMaxQuantized): Float32Array {
  const L = 1 << q.options.bits, out = new Float32Array(q.n);
  for (let i = 0; i < q.n; i++) {
    const c = q.options.scope === 'tensor' ? 0 : groupOf(q.layout, i);
    out[i] = q.codebooks[c * L + unpackCode(q.words, q.options.bits, i)];
  }
  return out;
}

/** Bits per weight: b-bit codes + 2^b levels (16 or 32 bits each) per codebook. */
export function lloydMaxBitsPerWeight(bits: number, codebookType: CodebookType, codebookCount: number, n: number): number {
  return (n * bits + codebookCount * (1 << bits) * (codebookType === 'fp16' ? 16 : 32)) / n;
}
