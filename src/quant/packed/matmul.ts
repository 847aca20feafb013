// quant: the CPU reference of the packed linear layer y = x·Ŵᵀ (f32, fixed summation order) and the rounding-error bound its GPU twins are checked against.
import { assert } from '../../lib/assert';
import { f32 } from '../../lib/f32';
import { dequantizePacked, type PackedWeights } from './weights';

/** Unit roundoff of f32 (round to nearest): 2^-24. */
export const F32_UNIT_ROUNDOFF = 2 ** -24;

/**
 * y = x · Ŵᵀ for x f32[m · k] (row-major) and Ŵ = dequantizePacked(p): y f32[m · n], row-major,
 * y[i, r] = Σ_c x[i, c] · ŵ[r, c]. Summation order: c ascending from 0, one f32 rounding per product
 * and per addition (acc = f32(acc + f32(x · ŵ)), acc starting at +0): recursive summation, whose
 * error is at most γ_k · Σ_c |x[i, c] · ŵ[r, c]| with γ_k = k·u / (1 − k·u), u = 2^-24
 * (Higham, Accuracy and Stability of Numerical Algorithms, 2nd ed., §3.1).
 */
export function matmulPackedReference(x: Float32Array, m: number, p: PackedWeights): Float32Array {
  assert(x.length === m * p.k, `matmulPackedReference: x has ${x.length} values, expected ${m}×${p.k}`);
  const w = dequantizePacked(p);
  const y = new Float32Array(m * p.n);
  for (let i = 0; i < m; i++) {
    for (let r = 0; r < p.n; r++) {
      let acc = 0;
      for (let c = 0; c < p.k; c++) acc = f32(acc + f32(x[i * p.k + c] * w[r * p.k + c]));
      y[i * p.n + r] = acc;
    }
  }
  return y;
}

/**
 * γ_d = d·u / (1 − d·u): the relative bound of an f32 sum of products in which every product passes
 * through at most d roundings (its own, or none when fused into an fma, and each later addition
 * into a partial sum holding it); recursive summation of k products has d = k, a blocked or tree
 * order less (Higham §3.1, §3.5). Adding an exact zero does not round.
 */
export function gammaF32(d: number): number {
  const du = d * F32_UNIT_ROUNDOFF;
  assert(du < 1, `gammaF32: d = ${d} roundings is too many for an f32 error bound`);
  return du / (1 - du);
}

/**
 * Σ_c |x[i, c]| · |ŵ[r, c]| for every output (f32[m · n] computed in f64, then rounded up by one
 * relative u so it never underestimates): the scale of every rounding-error bound of y[i, r].
 */
export function absProducts(x: Float32Array, m: number, w: Float32Array, n: number, k: number): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let r = 0; r < n; r++) {
      let s = 0;
      for (let c = 0; c < k; c++) s += Math.abs(x[i * k + c] * w[r * k + c]);
      out[i * n + r] = s * (1 + F32_UNIT_ROUNDOFF);
    }
  }
  return out;
}
