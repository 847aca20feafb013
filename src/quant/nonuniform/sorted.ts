// quant: sorted samples with prefix sums, so a threshold quantizer's squared error costs O(levels * log n) (fitting and searches only).

/**
 * Values sorted ascending (f64 copies of the f32 inputs) with prefix sums s1[k] = Σ v[0..k),
 * s2[k] = Σ v[0..k)². Used to fit codebooks and to search parameters; the error a user sees is
 * always recomputed from the dequantized f32 tensor.
 */
export interface SortedSamples {
  readonly v: Float64Array;
  readonly s1: Float64Array;
  readonly s2: Float64Array;
}

/** Sorts a copy of `x` and builds its prefix sums. NaN is not allowed (it has no place in the order). */
export function sortSamples(x: ArrayLike<number>): SortedSamples {
  const v = Float64Array.from(x).sort();
  const s1 = new Float64Array(v.length + 1), s2 = new Float64Array(v.length + 1);
  for (let i = 0; i < v.length; i++) {
    s1[i + 1] = s1[i] + v[i];
    s2[i + 1] = s2[i] + v[i] * v[i];
  }
  return { v, s1, s2 };
}

/** Number of samples <= t (the index of the first sample > t). */
export function countAtMost(s: SortedSamples, t: number): number {
  let lo = 0, hi = s.v.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (s.v[mid] <= t) lo = mid + 1; else hi = mid;
  }
  return lo;
}

/**
 * Sum of squared errors of the quantizer that sends x to levels[k] where k = #{j : x > thresholds[j]}
 * (thresholds ascending, one fewer than levels; the strict `>` rule of {@link thresholdCodebook}).
 * Per cell Σ(x - c)² = S2 - 2 c S1 + c² m in f64: exact enough when a cell's spread is not tiny
 * next to its magnitude (true for the searches here; clamped at 0 against cancellation).
 */
export function quantizerSse(s: SortedSamples, levels: ArrayLike<number>, thresholds: ArrayLike<number>): number {
  let sse = 0, start = 0;
  for (let k = 0; k < levels.length; k++) {
    const end = k < thresholds.length ? countAtMost(s, thresholds[k]) : s.v.length;
    if (end > start) {
      const m = end - start, a = s.s1[end] - s.s1[start], b = s.s2[end] - s.s2[start], c = levels[k];
      sse += Math.max(0, b - 2 * c * a + c * c * m);
    }
    start = Math.max(start, end);
  }
  return sse;
}

/** Midpoints of adjacent levels in f64 (the nearest-level thresholds of an ascending level list). */
export function midpoints(levels: ArrayLike<number>): number[] {
  const t: number[] = [];
  for (let k = 0; k + 1 < levels.length; k++) t.push((levels[k] + levels[k + 1]) / 2);
  return t;
}
