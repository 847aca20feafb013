// tests: outlier anatomy (src/quant/transforms/anatomy.ts): channel profiles, kurtosis, super weights, LLM.int8()-style outlier columns.
import { describe, expect, it } from 'vitest';
import { outlierColumns } from '../../src/model/synthetic';
import { channelProfile, outlierAnatomy, pearsonKurtosis, superWeights } from '../../src/quant/transforms/anatomy';
import { weights } from './transforms-fixtures';

describe('outlier anatomy', () => {
  const rows = 128, cols = 512;
  const outliers = outlierColumns({ rows, cols, distribution: 'gaussian', seed: 1, outlierChannels: 5, outlierScale: 12 });
  const w = weights(rows, cols, 'gaussian', 5, 12);

  it('finds injected outlier columns by absmax and by the int8 rule, and no outlier rows', () => {
    const a = outlierAnatomy(w, rows, cols);
    expect(a.colAbsmax.top.slice(0, 5).map((t) => t.index).sort((x, y) => x - y)).toEqual(outliers);
    // Gaussian columns of 128 peak at ~3σ; 12× columns at ~36σ: 6 × the median column absmax (~15σ) separates them.
    expect(a.int8.rule).toBe('median-multiple');
    expect(a.int8.indices).toEqual(outliers);
    expect(a.int8.columns).toBe(5);
    expect(a.int8.fraction).toBeCloseTo(5 / cols, 12);
    // fp16 values of 5 columns of 128, plus 5 indices of ceil(log2 512) = 9 bits (cheaper than a 512-bit mask)
    expect(a.int8.keepBitsPerWeight).toBeCloseTo((5 * 128 * 16 + 5 * 9) / (rows * cols), 12);
    // every row holds the outlier columns, so rows look alike: a row's absmax is 12σ times the largest
    // of 5 |N(0, 1)| draws (median ≈ 1.4), and 3× that median needs a draw above 4.2 (p ≈ 3e-5 each)
    expect(a.rowAbsmax.max / a.rowAbsmax.median).toBeLessThan(3);
    expect(a.colAbsmax.max / a.colAbsmax.median).toBeGreaterThan(6);
  });

  it('takes an absolute threshold when given one', () => {
    const a = outlierAnatomy(w, rows, cols, { int8: { threshold: 1e9 } });
    expect(a.int8).toMatchObject({ rule: 'absolute', threshold: 1e9, columns: 0, keepBitsPerWeight: 0 });
  });

  it('reports Pearson kurtosis: ~3 for Gaussian data, far above for Student-t, per tensor and per channel', () => {
    const g = outlierAnatomy(weights(256, 256, 'gaussian'), 256, 256);
    // standard error of the sample kurtosis is sqrt(24 / n) ≈ 0.01 for n = 65536: 0.1 is ten of them
    expect(Math.abs(g.kurtosis - 3)).toBeLessThan(0.1);
    // per-column kurtosis over 256 values: standard error sqrt(24/256) ≈ 0.3, so the median is near 3
    expect(Math.abs(g.colKurtosis.median - 3)).toBeLessThan(0.3);
    const t = outlierAnatomy(weights(256, 256, 'student-t'), 256, 256);
    expect(t.kurtosis).toBeGreaterThan(6);
    expect(pearsonKurtosis(4, (k) => [1, -1, 1, -1][k])).toBe(1); // two-point symmetric: kurtosis 1
    expect(pearsonKurtosis(3, () => 5)).toBeNaN();
  });

  it('lists super weights by |w| with their coordinates', () => {
    const x = Float32Array.from(w);
    x[3 * cols + 17] = -9;
    x[100 * cols + 400] = 8;
    x[5 * cols + 2] = 9; // ties with -9 on |w|: the lower index (row 3) comes first
    const top = superWeights(x, cols, 3);
    expect(top).toEqual([{ row: 3, col: 17, value: -9 }, { row: 5, col: 2, value: 9 }, { row: 100, col: 400, value: 8 }]);
    expect(outlierAnatomy(x, rows, cols, { topK: 2 }).superWeights).toEqual(top.slice(0, 2));
  });

  it('max-pools long channel profiles and leaves NaN channels out of median and top', () => {
    const p = channelProfile([1, 5, 2, 8, 3, 0, 7], 3);
    expect(p.binSize).toBe(3);
    expect(p.values).toEqual([5, 8, 7]);
    expect(p.top.map((t) => t.index)).toEqual([3, 6, 1, 4, 2, 0, 5]);
    expect(p.median).toBe(3);
    const q = channelProfile([NaN, 2, NaN, 1], 2);
    expect(q.values).toEqual([2, 1]);
    expect(q.median).toBe(1.5);
    expect(q.top).toEqual([{ index: 1, value: 2 }, { index: 3, value: 1 }]);
    expect(outlierAnatomy(new Float32Array(64), 8, 8).colKurtosis.values.every(Number.isNaN)).toBe(true);
  });

  it('keeps its arrays within maxPoints and survives JSON', () => {
    const a = outlierAnatomy(w, rows, cols, { maxPoints: 100 });
    expect(a.colAbsmax.values.length).toBeLessThanOrEqual(100);
    expect(a.colAbsmax.binSize).toBe(Math.ceil(cols / 100));
    expect(JSON.parse(JSON.stringify(a)).superWeights).toEqual(a.superWeights);
  });
});
