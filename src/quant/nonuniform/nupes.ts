// quant: power-exponent companding (NUPES): symmetric INT on sign(x)|x|^a per group, a searched per tensor, CPU reference.
import { assert } from '../../lib/assert';
import { divRn } from '../../lib/f32';
import { absMaxOf, type GroupLayout, groupIndices } from '../groups';
import { clipSearchError, clipSearchFactor, dequantizeInt, groupLevels, type IntQuantized, intBitsPerWeight, quantizeInt } from '../int';
import { signedPowF32 } from './powF32';

/**
 * Exponents tried by {@link quantizeNupes}: a = f32((5 + k) / 20), k = 0..25, i.e. 0.25, 0.30, ..., 1.50.
 * a < 1 spends levels near zero (bell-shaped weights), a > 1 near the extremes; a = 1 is plain INT,
 * so the searched result is never worse than plain symmetric INT on the same groups.
 */
export const NUPES_GRID: readonly number[] = Array.from({ length: 26 }, (_, k) => divRn(5 + k, 20));

/** sign(x)·|x|^a in f32 ({@link signedPowF32}: the same bits as the GPU's `signed_pow_f32`). */
export function compand(x: Float32Array, a: number): Float32Array {
  return x.map((v) => signedPowF32(v, a));
}

/** The decoder's exponent 1/a, correctly rounded to f32. */
export function expandExponent(a: number): number {
  return divRn(1, a);
}

/** sign(y)·|y|^(1/a) in f32, the inverse of {@link compand}. */
export function expand(y: Float32Array, a: number): Float32Array {
  const inv = expandExponent(a);
  return y.map((v) => signedPowF32(v, inv));
}

/** A NUPES-coded tensor: the symmetric INT coding of the companded tensor and the exponent a. */
export interface NupesQuantized {
  /** The exponent used (stored as fp32 with the tensor). */
  readonly a: number;
  readonly inner: IntQuantized;
  /** MSE of every grid exponent tried, in grid order (empty when `a` was given). */
  readonly search: readonly { readonly a: number; readonly mse: number }[];
}

const TWO32 = 2 ** 32;

/**
 * Each group's squared error Σ (x - x̂)² as an exact 64-bit fixed-point sum: clipSearchError
 * (src/quant/int.ts) with the group's own factor f = clipSearchFactor(max|x|), summed as integers
 * (order-free). Returns [lo, hi] u32 pairs per group: what shaders/quant_nupes.wgsl `group_error` writes.
 */
export function groupErrorSums(x: Float32Array, xhat: Float32Array, layout: GroupLayout): Uint32Array {
  const out = new Uint32Array(2 * layout.groupCount);
  for (let g = 0; g < layout.groupCount; g++) {
    const idx = groupIndices(layout, g);
    const f = clipSearchFactor(absMaxOf(x, idx));
    let hi = 0, lo = 0;
    for (const i of idx) {
      const [eh, el] = clipSearchError(x[i], xhat[i], f);
      lo += el;
      hi += eh;
      if (lo >= TWO32) { lo -= TWO32; hi += 1; }
    }
    out[2 * g] = lo;
    out[2 * g + 1] = hi % TWO32;
  }
  return out;
}

/**
 * The search's mean squared error from {@link groupErrorSums}: Σ_g (hi·2^32 + lo) / f_g² in f64, in
 * group order, over n. The integers are exact, so CPU and GPU searches compare the same numbers.
 */
export function meanOfGroupErrors(sums: Uint32Array, x: Float32Array, layout: GroupLayout): number {
  let total = 0;
  for (let g = 0; g < layout.groupCount; g++) {
    const f = clipSearchFactor(absMaxOf(x, groupIndices(layout, g)));
    total += (sums[2 * g + 1] * TWO32 + sums[2 * g]) / (f * f);
  }
  return x.length ? total / x.length : 0;
}

/** Index of the least MSE (strict `<`: ties keep the first exponent). */
export function bestExponent(mses: readonly number[]): number {
  let best = 0;
  for (let k = 1; k < mses.length; k++) if (mses[k] < mses[best]) best = k;
  return best;
}

/**
 * The exponent a search picks from every candidate's {@link groupErrorSums}, concatenated in
 * NUPES_GRID order (what shaders/quant_nupes.wgsl leaves in its `sums` buffer).
 */
export function exponentFromSums(sums: Uint32Array, x: Float32Array, layout: GroupLayout): number {
  const per = 2 * layout.groupCount;
  return NUPES_GRID[bestExponent(NUPES_GRID.map((_, k) => meanOfGroupErrors(sums.subarray(k * per, (k + 1) * per), x, layout)))];
}

function nupesWith(x: Float32Array, layout: GroupLayout, bits: number, a: number): { inner: IntQuantized; mse: number } {
  const inner = quantizeInt(compand(x, a), layout, { bits, symmetric: true });
  const d = expand(dequantizeInt(inner), a);
  return { inner, mse: meanOfGroupErrors(groupErrorSums(x, d, layout), x, layout) };
}

/**
 * NUPES (Yvinec, Dapogny, Bailly, arXiv:2308.05600, 2023), data-free part: y = sign(x)|x|^a is
 * quantized by symmetric absmax INT (`quantizeInt`, codes ±(2^(b-1)-1), a scale per group), and
 * decoded by sign(ŷ)|ŷ|^(1/a) (powers by {@link signedPowF32}, 1/a correctly rounded). Without `a`,
 * every {@link NUPES_GRID} exponent is tried and the one with the least MSE over the whole tensor
 * kept (MSE from exact per-group fixed-point sums, {@link meanOfGroupErrors}; ties: the first in grid
 * order). The paper also learns a and the weights by gradient descent with data; that part is not
 * reproduced here.
 */
export function quantizeNupes(x: Float32Array, layout: GroupLayout, bits: number, a?: number): NupesQuantized {
  assert(a === undefined || (a > 0 && Number.isFinite(a)), `quantizeNupes: exponent must be > 0, got ${a}`);
  if (a !== undefined) return { a, inner: nupesWith(x, layout, bits, a).inner, search: [] };
  const runs = NUPES_GRID.map((g) => nupesWith(x, layout, bits, g));
  const search = runs.map((r, k) => ({ a: NUPES_GRID[k], mse: r.mse }));
  const best = bestExponent(search.map((s) => s.mse));
  return { a: NUPES_GRID[best], inner: runs[best].inner, search };
}

/** Dequantizes: INT decode, then the inverse power. */
export function dequantizeNupes(q: NupesQuantized): Float32Array {
  return expand(dequantizeInt(q.inner), q.a);
}

/** The values one group can represent, ascending: the INT levels expanded (scale = the group's INT scale). */
export function nupesLevels(bits: number, a: number, scale: number): number[] {
  const params = { bits, symmetric: true };
  const levels = expand(Float32Array.from(groupLevels(params, scale, 1 << (bits - 1))), a);
  return [...new Set(levels)].sort((u, v) => u - v);
}

/** Bits per weight: symmetric INT (b-bit codes + fp32 scale per group) + the fp32 exponent a per tensor. */
export function nupesBitsPerWeight(bits: number, n: number, groupCount: number): number {
  return intBitsPerWeight({ bits, symmetric: true }, n, groupCount) + 32 / n;
}
