// tests: SplitQuant (src/quant/transforms/splitQuant.ts): clusters, storage formula, and the gain over RTN at matched bits.
import { describe, expect, it } from 'vitest';
import { indexBits } from '../../src/quant/transforms/base';
import { applySplitQuant, CLUSTER_ID_BITS, clusterIdBits, splitQuantExtraBits, threeClusters } from '../../src/quant/transforms/splitQuant';
import { mse, rtn, weights } from './transforms-fixtures';

const rows = 256, cols = 512, n = rows * cols;
/** Student-t (ν = 3) weights with 8 of 512 input channels scaled 10×. */
const w = weights(rows, cols, 'student-t', 8, 10);
const mseOf = (bits: number, kind: 'tensor' | 'row' | 'block') => mse(w, rtn(bits, kind)(w, rows, cols));

describe('SplitQuant: invariants', () => {
  it('labels clusters lower / middle / upper by their centres', () => {
    const x = Float32Array.of(-10, -9.5, 0.1, -0.2, 0, 0.3, 9, 11);
    for (const init of ['percentiles', 'k-means++'] as const) {
      const { labels, centres } = threeClusters(x, { init });
      expect(Array.from(labels)).toEqual([0, 0, 1, 1, 1, 1, 2, 2]);
      expect(centres[0]).toBeCloseTo(-9.75, 6);
      expect(centres[1]).toBeCloseTo(0.05, 6);
      expect(centres[2]).toBeCloseTo(10, 6);
    }
  });

  it('reconstructs three clusters of grid points exactly where one shared grid cannot', () => {
    // each cluster's values lie on its own INT4 sym grid (steps of absmax / 7 = 1 and 0.125, exact in
    // fp16): exact; one per-tensor grid (step 1) is not
    const x = Float32Array.of(-7, -7, -6, -6, 0, 0.875, -0.875, 0.375, 6, 7, 7, 6);
    const r = applySplitQuant(x, 3, 4, {}, rtn(4, 'tensor'));
    expect(r.info.counts).toEqual([4, 4, 4]);
    expect(Array.from(r.xhat)).toEqual(Array.from(x));
    expect(mse(x, rtn(4, 'tensor')(x, 3, 4))).toBeGreaterThan(0);
  });

  it('counts two more sets of scales and the cheaper cluster-id encoding', () => {
    expect(CLUSTER_ID_BITS).toBe(1.6);
    expect(clusterIdBits(1 << 20, 1000)).toEqual({ bits: 1000 * 21, ids: 'positions' });
    expect(clusterIdBits(1 << 20, 500000)).toEqual({ bits: (1 << 20) * 1.6, ids: 'packed' });
    const r = applySplitQuant(w, rows, cols, {}, rtn(4));
    const groups = n / 64, outer = r.info.counts[0] + r.info.counts[2];
    expect(r.baseBits).toBe(n * 4 + groups * 16);
    expect(r.extraBits).toBe(2 * groups * 16 + Math.min(n * 1.6, outer * (indexBits(n) + 1)));
    expect(splitQuantExtraBits(r.baseBits, n, 4, outer)).toBe(r.extraBits);
  });

  it('on Gaussian data the clusters are large, so the ids are packed', () => {
    const g = weights(rows, cols, 'gaussian');
    const r = applySplitQuant(g, rows, cols, {}, rtn(4));
    expect(r.info.ids).toBe('packed');
    expect(r.info.counts[1]).toBeLessThan(0.8 * n);
  });
});

describe('SplitQuant beats RTN at matched bits on heavy-tailed data with outlier channels', () => {
  // k-means puts the ~1% extreme weights (mostly from the outlier channels) into the outer clusters,
  // so the middle cluster gets a grid about 10× finer and the ids cost ~0.15 bpw as positions.
  it('per tensor (the paper\'s setting): INT3 SplitQuant beats INT4 RTN with fewer bits', () => {
    const r = applySplitQuant(w, rows, cols, {}, rtn(3, 'tensor'));
    expect(r.info.ids).toBe('positions');
    expect(r.bitsPerWeight).toBeLessThan(rtn(4, 'tensor').bits(rows, cols) / n);
    const ratio = mse(w, r.xhat) / mseOf(4, 'tensor');
    expect(ratio).toBeLessThan(0.9);
    expect(ratio).toBeGreaterThan(0.3); // sane: the middle cluster still has only 3 bits
  });

  it('per row: INT4 SplitQuant (≈4.25 bpw) beats INT5 RTN (5.03 bpw) at least 2×', () => {
    const r = applySplitQuant(w, rows, cols, {}, rtn(4, 'row'));
    expect(r.bitsPerWeight).toBeLessThan(rtn(5, 'row').bits(rows, cols) / n);
    const ratio = mse(w, r.xhat) / mseOf(5, 'row');
    expect(ratio).toBeLessThan(0.5);
    expect(ratio).toBeGreaterThan(0.1);
  });

  it('in blocks of 64: INT4 SplitQuant (≈4.9 bpw) beats INT5 RTN (5.25 bpw)', () => {
    const r = applySplitQuant(w, rows, cols, {}, rtn(4));
    expect(r.bitsPerWeight).toBeLessThan(5.25);
    const ratio = mse(w, r.xhat) / mseOf(5, 'block');
    expect(ratio).toBeLessThan(0.9);
    expect(ratio).toBeGreaterThan(0.3);
  });

  it('three super weights do not derail it (the percentile start keeps the tails split)', () => {
    const x = weights(rows, cols, 'student-t', 4, 10);
    x[3 * cols + 17] = 1.5;
    x[100 * cols + 400] = -2;
    x[200 * cols + 5] = 1.2;
    const r = applySplitQuant(x, rows, cols, {}, rtn(4, 'tensor'));
    expect(r.info.counts[0]).toBeGreaterThan(100); // not one isolated super weight
    expect(mse(x, r.xhat)).toBeLessThan(0.5 * mse(x, rtn(6, 'tensor')(x, rows, cols)));
    expect(r.bitsPerWeight).toBeLessThan(6);
  });
});
