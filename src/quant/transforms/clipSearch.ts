// quant: per-group clipping search for any format: OmniQuant's learnable weight clipping approximated by a grid of clip ratios (CPU reference).
//
// OmniQuant (Shao et al. 2024, arXiv 2308.13137) learns a clipping strength per channel by gradient
// descent; GPTQ's `find_params(mse=True)` and AWQ's clip search approximate it by a grid search. Here
// each group of the base format's layout is clipped for every ratio r of the grid (default
// src/quant/clip.ts CLIP_RATIOS, 1.00 down to 0.50): to ±r·absmax for absmax-scaled formats (every
// format of the library but the asymmetric integer modes), or to [r·min(lo, 0), r·max(hi, 0)] for
// min/max-scaled ones (GPTQ's shrink of xmin and xmax). The clipped tensor is quantized with the base
// format, whose scale then shrinks by r, and each group keeps the ratio with the least squared error
// (f64 sums; ties to the earlier ratio of the grid).
// A final quantization of the tensor clipped at the chosen ratios gives x̂, so formats whose groups
// interact (NVFP4's tensor scale) stay consistent. For the integer format this is its `clip: mse`
// option (same grid, same ranges; that one sums errors in exact fixed point on both backends and
// runs on the GPU). Cost: none: the ratio only changes the stored scale.
import { CLIP_RATIOS } from '../clip';
import { groupIndices } from '../groups';
import { type BaseQuantizer, checkShape, transformResult, type TransformResult } from './base';

export interface ClipSearchParams {
  /** Ratios to try, each in (0, 1]; default CLIP_RATIOS. */
  readonly ratios?: readonly number[];
  /** What the ratio shrinks: 'absmax' (default; symmetric formats) or 'min-max' (asymmetric integer modes). */
  readonly range?: 'absmax' | 'min-max';
}

export interface ClipSearchInfo {
  /** How many groups chose each ratio (same order as the ratios). */
  readonly histogram: number[];
  readonly ratios: number[];
  /** Mean chosen ratio over the groups. */
  readonly meanRatio: number;
}

/** Each group clipped to its ratio: x clamped to ±r·absmax or to [r·min(lo, 0), r·max(hi, 0)]. */
function clipGroups(w: Float32Array, groups: number[][], range: ClipSearchParams['range'], ratioOf: (g: number) => number): Float32Array {
  const out = Float32Array.from(w);
  groups.forEach((idx, g) => {
    let lo = 0, hi = 0;
    for (const i of idx) { lo = Math.min(lo, w[i]); hi = Math.max(hi, w[i]); }
    if (range !== 'min-max') { hi = Math.max(hi, -lo); lo = -hi; }
    const r = ratioOf(g), a = Math.fround(lo * r), b = Math.fround(hi * r);
    for (const i of idx) out[i] = Math.min(b, Math.max(a, w[i]));
  });
  return out;
}

/** Clip-ratio search per group of the base format's layout on the row-major f32[rows · cols] `w`. */
export function applyClipSearch(w: Float32Array, rows: number, cols: number, p: ClipSearchParams, quantize: BaseQuantizer): TransformResult<ClipSearchInfo> {
  checkShape(w, rows, cols, 'Clipping search');
  const ratios = [...(p.ratios ?? CLIP_RATIOS)];
  if (ratios.length === 0 || ratios.some((r) => !(r > 0 && r <= 1))) {
    throw new Error(`Clipping search: every clip ratio must be in (0, 1], got [${ratios.join(', ')}].`);
  }
  const layout = quantize.layout(rows, cols);
  const groups = Array.from({ length: layout.groupCount }, (_, g) => groupIndices(layout, g));
  const bestErr = new Float64Array(groups.length).fill(Infinity);
  const best = new Uint32Array(groups.length);
  ratios.forEach((r, k) => {
    const q = quantize(clipGroups(w, groups, p.range, () => r), rows, cols);
    groups.forEach((idx, g) => {
      let err = 0;
      for (const i of idx) err += (w[i] - q[i]) ** 2;
      if (err < bestErr[g]) { bestErr[g] = err; best[g] = k; }
    });
  });
  const xhat = quantize(clipGroups(w, groups, p.range, (g) => ratios[best[g]]), rows, cols);
  const histogram = ratios.map((_, k) => best.reduce((n, b) => n + (b === k ? 1 : 0), 0));
  const meanRatio = best.reduce((s, b) => s + ratios[b], 0) / Math.max(1, best.length);
  return transformResult(xhat, rows, cols, quantize.bits(rows, cols), 0, { histogram, ratios, meanRatio });
}
