// quant: power-exponent companding (NUPES): symmetric INT on sign(x)|x|^a per group, a searched per tensor, CPU reference.
import { assert } from '../../lib/assert';
import { f32 } from '../../lib/f32';
import type { GroupLayout } from '../groups';
import { type IntQuantized, dequantizeInt, intBitsPerWeight, quantizeInt } from '../int';

/**
 * Exponents tried by {@link quantizeNupes}: a = 0.25, 0.30, ..., 1.50 (26 values, step 0.05).
 * a < 1 spends levels near zero (bell-shaped weights), a > 1 near the extremes; a = 1 is plain INT,
 * so the searched result is never worse than plain symmetric INT on the same groups.
 */
export const NUPES_GRID: readonly number[] = Array.from({ length: 26 }, (_, i) => (5 + i) / 20);

/** sign(x)·|x|^a in f32 (the power in f64, rounded once; a GPU `pow` agrees to a few ulps, not bit for bit). */
export function compand(x: Float32Array, a: number): Float32Array {
  return x.map((v) => (v < 0 ? -f32(Math.abs(v) ** a) : f32(v ** a)));
}

/** A NUPES-coded tensor: the symmetric INT coding of the companded tensor and the exponent a. */
export interface NupesQuantized {
  /** The exponent used (stored as fp32 with the tensor). */
  readonly a: number;
  readonly inner: IntQuantized;
  /** MSE of every grid exponent tried, in grid order (empty when `a` was given). */
  readonly search: readonly { readonly a: number; readonly mse: number }[];
}

function nupesWith(x: Float32Array, layout: GroupLayout, bits: number, a: number): { inner: IntQuantized; mse: number } {
  const inner = quantizeInt(compand(x, a), layout, { bits, symmetric: true });
  const d = expand(dequantizeInt(inner), a);
  let sse = 0;
  for (let i = 0; i < x.length; i++) sse += (x[i] - d[i]) ** 2;
  return { inner, mse: x.length ? sse / x.length : 0 };
}

/**
 * NUPES (Yvinec, Dapogny, Bailly, arXiv:2308.05600, 2023), data-free part: y = sign(x)|x|^a is
 * quantized by symmetric absmax INT (`quantizeInt`, codes ±(2^(b-1)-1), a scale per group), and
 * decoded by sign(ŷ)|ŷ|^(1/a). Without `a`, every {@link NUPES_GRID} exponent is tried and the one
 * with the least MSE over the whole tensor kept (ties: the first in grid order). The paper also
 * learns a and the weights by gradient descent with data; that part is not reproduced here.
 */
export function quantizeNupes(x: Float32Array, layout: GroupLayout, bits: number, a?: number): NupesQuantized {
  assert(a === undefined || (a > 0 && Number.isFinite(a)), `quantizeNupes: exponent must be > 0, got ${a}`);
  if (a !== undefined) return { a, inner: nupesWith(x, layout, bits, a).inner, search: [] };
  let best: { a: number; inner: IntQuantized; mse: number } | null = null;
  const search: { a: number; mse: number }[] = [];
  for (const g of NUPES_GRID) {
    const r = nupesWith(x, layout, bits, g);
    search.push({ a: g, mse: r.mse });
    if (best === null || r.mse < best.mse) best = { a: g, ...r };
  }
  const chosen = best as { a: number; inner: IntQuantized };
  return { a: chosen.a, inner: chosen.inner, search };
}

/** sign(y)·|y|^(1/a) in f32. */
export function expand(y: Float32Array, a: number): Float32Array {
  const inv = 1 / a;
  return y.map((v) => (v < 0 ? -f32(Math.abs(v) ** inv) : f32(v ** inv)));
}

/** Dequantizes: INT decode, then the inverse power. */
export function dequantizeNupes(q: NupesQuantized): Float32Array {
  return expand(dequantizeInt(q.inner), q.a);
}

/** Bits per weight: symmetric INT (b-bit codes + fp32 scale per group) + the fp32 exponent a per tensor. */
export function nupesBitsPerWeight(bits: number, n: number, groupCount: number): number {
  return intBitsPerWeight({ bits, symmetric: true }, n, groupCount) + 32 / n;
}
