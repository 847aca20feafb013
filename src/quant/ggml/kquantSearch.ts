// quant: the per-sub-block scale searches of ggml's K-quants (make_qkx2_quants, make_qx_quants), f32 op for op.
import { f32 } from '../../lib/f32';
import { div, nearestInt } from './common';

/** ggml GROUP_MAX_EPS (ggml-quants.c): a group with smaller absmax is treated as all zero. */
export const GROUP_MAX_EPS = f32(1e-15);

const clamp = (v: number, lo: number, hi: number): number => Math.max(lo, Math.min(hi, v));

/** Result of {@link makeQkx2Quants}: the sub-block scale and `the_min` (minus the offset, >= 0). */
export interface ScaleMin {
  readonly scale: number;
  readonly min: number;
}

/**
 * `make_qkx2_quants` (ggml/src/ggml-quants.c): fits x ~ scale * L + offset with L in [0, nmax]
 * and offset <= 0, minimising sum w (x - scale L - offset)^2 (use_mad false) or |.| (true):
 * start from the min/max grid, then try nstep + 1 grids iscale = (rmin + rdelta*is + nmax)/(max - min)
 * and keep the weighted least-squares fit with the lowest error (strict <). As in ggml, once a fit
 * wins, later grids use its (clamped) offset in place of the data's min. Writes the codes into
 * `L`; `x`, `weights` and `L` are views of the sub-block's n entries; returns { scale, min: -offset }.
 */
export function makeQkx2Quants(
  n: number, nmax: number, x: Float32Array, weights: Float32Array, L: Uint8Array,
  rmin: number, rdelta: number, nstep: number, useMad: boolean,
): ScaleMin {
  let min = x[0], max = x[0];
  let sumW = weights[0];
  let sumX = f32(sumW * x[0]);
  for (let i = 1; i < n; i++) {
    const xi = x[i];
    if (xi < min) min = xi;
    if (xi > max) max = xi;
    const w = weights[i];
    sumW = f32(sumW + w);
    sumX = f32(sumX + f32(w * xi));
  }
  if (min > 0) min = 0;
  if (max === min) {
    L.fill(0, 0, n);
    return { scale: 0, min: -min };
  }
  let iscale = div(nmax, f32(max - min));
  let scale = div(1, iscale);
  let bestError = 0;
  const err = (s: number, l: number, m: number, xi: number): number => {
    const diff = f32(f32(f32(s * l) + m) - xi);
    return useMad ? Math.abs(diff) : f32(diff * diff);
  };
  for (let i = 0; i < n; i++) {
    const l = nearestInt(f32(iscale * f32(x[i] - min)));
    L[i] = clamp(l, 0, nmax);
    bestError = f32(bestError + f32(weights[i] * err(scale, L[i], min, x[i])));
  }
  if (nstep < 1) return { scale, min: -min };
  const laux = new Uint8Array(n);
  for (let is = 0; is <= nstep; is++) {
    // min is the best fit so far: ggml's later grids start from it, not from the data's min.
    iscale = div(f32(f32(rmin + f32(rdelta * is)) + nmax), f32(max - min));
    let sumL = 0, sumL2 = 0, sumXL = 0;
    for (let i = 0; i < n; i++) {
      const xi = x[i];
      const l = clamp(nearestInt(f32(iscale * f32(xi - min))), 0, nmax);
      laux[i] = l;
      const w = weights[i];
      const wl = f32(w * l);
      sumL = f32(sumL + wl);
      sumL2 = f32(sumL2 + f32(wl * l));
      sumXL = f32(sumXL + f32(wl * xi));
    }
    const D = f32(f32(sumW * sumL2) - f32(sumL * sumL));
    if (D > 0) {
      let thisScale = div(f32(f32(sumW * sumXL) - f32(sumX * sumL)), D);
      let thisMin = div(f32(f32(sumL2 * sumX) - f32(sumL * sumXL)), D);
      if (thisMin > 0) {
        thisMin = 0;
        thisScale = div(sumXL, sumL2);
      }
      let curError = 0;
      for (let i = 0; i < n; i++) curError = f32(curError + f32(weights[i] * err(thisScale, laux[i], thisMin, x[i])));
      if (curError < bestError) {
        L.set(laux);
        bestError = curError;
        scale = thisScale;
        min = thisMin;
      }
    }
  }
  return { scale, min: -min };
}

/**
 * `make_qx_quants` (ggml-quants.c) with no importance weights (`qw == NULL`) and rmse_type 1
 * (weights w = x^2), the only form Q6_K's reference uses: symmetric codes l in [-nmax, nmax - 1]
 * stored as l + nmax in `L` (views of the group's n entries), iscale = -nmax / max with max the
 * signed element of largest |x|, then 18 more grids -(nmax + 0.1 is) / max, is = -9..9 (not 0),
 * keeping the one with the largest (sum w x l)^2 / sum w l^2; returns the least-squares scale
 * (its sign follows -max). A group with absmax < 1e-15 gets L = 0 and scale 0.
 */
export function makeQxQuantsRmse1(n: number, nmax: number, x: Float32Array, L: Int8Array): number {
  let max = 0, amax = 0;
  for (let i = 0; i < n; i++) {
    const ax = Math.abs(x[i]);
    if (ax > amax) { amax = ax; max = x[i]; }
  }
  if (amax < GROUP_MAX_EPS) {
    L.fill(0, 0, n);
    return 0;
  }
  const sums = (iscale: number, write: boolean): [number, number] => {
    let sumlx = 0, suml2 = 0;
    for (let i = 0; i < n; i++) {
      const xi = x[i];
      const l = clamp(nearestInt(f32(iscale * xi)), -nmax, nmax - 1);
      if (write) L[i] = l + nmax;
      const w = f32(xi * xi);
      sumlx = f32(sumlx + f32(f32(w * xi) * l));
      suml2 = f32(suml2 + f32(f32(w * l) * l));
    }
    return [sumlx, suml2];
  };
  let [sumlx, suml2] = sums(div(-nmax, max), true);
  let scale = suml2 !== 0 ? div(sumlx, suml2) : 0;
  let best = f32(scale * sumlx);
  for (let is = -9; is <= 9; is++) {
    if (is === 0) continue;
    const iscale = div(-f32(nmax + f32(f32(0.1) * is)), max);
    [sumlx, suml2] = sums(iscale, false);
    if (suml2 > 0 && f32(sumlx * sumlx) > f32(best * suml2)) {
      sums(iscale, true);
      scale = div(sumlx, suml2);
      best = f32(scale * sumlx);
    }
  }
  return scale;
}
