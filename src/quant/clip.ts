// quant: clipping for the integer quantizer — the per-tensor percentile threshold and the MSE search's ratio grid.
import { assert } from '../lib/assert';
import { divRn } from '../lib/f32';

/**
 * How a group's range is clipped before its scale is chosen (elements beyond the clipped range
 * saturate to the end codes):
 * - `none`: the group's min and max.
 * - `percentile`: per tensor, |x| is clipped at the p-th percentile of |x| (p in [90, 100]),
 *   see {@link percentileAbs}; each group's [min, max] is intersected with [-T, T].
 * - `mse`: per group, the range [r * min, r * max] with the ratio r of {@link CLIP_RATIOS} that
 *   gives the least squared error (GPTQ `quant.py` `find_params(mse=True)` does this search with a
 *   finer grid and |e|^2.4; here squared error, 11 ratios). Ties go to the larger ratio.
 */
export type IntClip =
  | { readonly kind: 'none' }
  | { readonly kind: 'percentile'; readonly p: number }
  | { readonly kind: 'mse' };

/**
 * The MSE search's ratios 1.00, 0.95, ..., 0.50, as f32: r_k = f32((20 - k) / 20), k = 0..10,
 * correctly rounded (the WGSL twin computes them with `div_rn`).
 */
export const CLIP_RATIOS: readonly number[] = Array.from({ length: 11 }, (_, k) => divRn(20 - k, 20));

/**
 * The p-th percentile of |x| by the nearest-rank definition: with |x| sorted ascending as
 * a_1 <= ... <= a_n, T = a_k for k = max(1, ceil(p/100 * n)). p = 100 gives max |x|; p = 99.9 on
 * n = 1000 gives the 999th smallest. p is read to 0.001 (k is computed from round(p * 1000) * n
 * in integers), so 99.9 is not perturbed by binary fractions. Exact: an order statistic of the
 * f32 inputs, no interpolation.
 */
export function percentileAbs(x: Float32Array, p: number): number {
  assert(p >= 90 && p <= 100, `percentile clip: p must be in [90, 100], got ${p}`);
  const n = x.length;
  if (n === 0) return 0;
  const milli = Math.round(p * 1000); // p in thousandths of a percent
  const k = Math.max(1, Math.ceil((milli * n) / 100000)); // exact: milli * n < 2^53
  const a = Float32Array.from(x, Math.abs);
  return quickselect(a, k - 1);
}

/** The element of rank `k` (0-based) of `a` in ascending order; reorders `a`. Hoare's selection. */
function quickselect(a: Float32Array, k: number): number {
  let lo = 0, hi = a.length - 1;
  while (hi > lo) {
    const pivot = a[(lo + hi) >>> 1];
    let i = lo, j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) { const t = a[i]; a[i] = a[j]; a[j] = t; i++; j--; }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}
