// engine: the outlier anatomy of a run's input tensor, computed once per tensor (recipe changes reuse it).
import { type OutlierAnatomy, outlierAnatomy } from '../quant/transforms/anatomy';

/** Keyed by the tensor itself: the source caches hand every run of one tensor the same array. */
const cache = new WeakMap<Float32Array, OutlierAnatomy>();

/** Outlier anatomy of the row-major f32[rows · cols] `x` (src/quant/transforms/anatomy.ts, default options). */
export function inputAnatomy(x: Float32Array, rows: number, cols: number): OutlierAnatomy {
  const hit = cache.get(x);
  if (hit && hit.rows === rows && hit.cols === cols) return hit;
  const anatomy = outlierAnatomy(x, rows, cols);
  cache.set(x, anatomy);
  return anatomy;
}
