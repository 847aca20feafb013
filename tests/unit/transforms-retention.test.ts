// tests: outlier retention (src/quant/transforms/retention.ts): invariants, storage formula, and the gain over RTN at matched bits.
import { describe, expect, it } from 'vitest';
import { outlierColumns } from '../../src/model/synthetic';
import { toFp16 } from '../../src/quant/transforms/base';
import { applyRetention, retentionBits, selectIndices } from '../../src/quant/transforms/retention';
import { bitsOf, mse, rtn, weights } from './transforms-fixtures';

const rows = 256, cols = 1024;
const w = weights(rows, cols, 'student-t', 8, 10);
const int4 = rtn(4);

describe('outlier retention: invariants', () => {
  it('keeping nothing is plain RTN, bit for bit, at no extra cost', () => {
    for (const axis of ['column', 'row', 'element'] as const) {
      const r = applyRetention(w, rows, cols, { axis, select: { kind: 'top', count: 0 } }, int4);
      expect(bitsOf(r.xhat)).toEqual(bitsOf(int4(w, rows, cols)));
      expect(r.extraBits).toBe(0);
      expect(r.bitsPerWeight).toBe(int4.bits(rows, cols) / (rows * cols));
    }
  });

  it('keeps the chosen columns as fp16 values of the originals, and they are the injected outlier channels', () => {
    const r = applyRetention(w, rows, cols, { axis: 'column', select: { kind: 'top', count: 8 } }, int4);
    expect(r.info.indices).toEqual(outlierColumns({ rows, cols, distribution: 'student-t', seed: 1, outlierChannels: 8, outlierScale: 10 }));
    for (const c of r.info.indices) for (let i = 0; i < rows; i++) expect(r.xhat[i * cols + c]).toBe(toFp16(w[i * cols + c]));
    // 8 columns of 256 fp16 values plus 8 indices of 10 bits (cheaper than a 1024-bit mask)
    expect(r.extraBits).toBe(8 * 256 * 16 + 8 * 10);
    expect(r.info.positions).toBe('indices');
  });

  it('counts element positions as indices or a bitmask, whichever is smaller', () => {
    expect(retentionBits(10, 1, 1 << 16)).toEqual({ bits: 10 * 16 + 10 * 16, positions: 'indices' });
    // 5000 of 65536 weights: 5000 × 16 index bits > 65536 mask bits
    expect(retentionBits(5000, 1, 1 << 16)).toEqual({ bits: 5000 * 16 + 65536, positions: 'bitmask' });
    const r = applyRetention(w, rows, cols, { axis: 'row', select: { kind: 'top', count: 3 } }, int4);
    expect(r.extraBits).toBe(3 * cols * 16 + 3 * 8);
  });

  it('selects by threshold or top count, ties to the lower index', () => {
    expect(selectIndices([1, 5, 5, 2], { kind: 'top', count: 2 })).toEqual([1, 2]);
    expect(selectIndices([1, 5, 3, 5], { kind: 'top', count: 1 })).toEqual([1]);
    expect(selectIndices([1, 5, 3, 5], { kind: 'threshold', value: 3 })).toEqual([1, 2, 3]);
    const r = applyRetention(w, rows, cols, { axis: 'element', select: { kind: 'threshold', value: 0.2 } }, int4);
    expect(r.info.kept).toBe(w.filter((x) => Math.abs(x) >= 0.2).length);
  });

  it('refuses impossible counts with a useful message', () => {
    expect(() => applyRetention(w, rows, cols, { axis: 'column', select: { kind: 'top', count: 2000 } }, int4)).toThrow(/from 0 to 1024/);
  });
});

describe('outlier retention beats RTN at matched bits on heavy-tailed data with outlier channels', () => {
  // Student-t (ν = 3) weights with 8 of 1024 input channels scaled 10×: in INT4 blocks of 64 nearly
  // every block holds one outlier channel that stretches its scale. The fair RTN comparison spends
  // the extra bits on smaller blocks: blocks of 32 (4.5 bpw) cost more than either retention below.
  const rtnMse = (block: number) => mse(w, rtn(4, 'block', block)(w, rows, cols));

  it('8 columns in fp16 (4.375 bpw) beat INT4 blocks of 32 (4.5 bpw) by at least 15%', () => {
    const r = applyRetention(w, rows, cols, { axis: 'column', select: { kind: 'top', count: 8 } }, int4);
    expect(r.bitsPerWeight).toBeCloseTo(4.25 + (8 * 256 * 16 + 80) / (rows * cols), 12);
    const ratio = mse(w, r.xhat) / rtnMse(32);
    expect(ratio).toBeLessThan(0.85);
    expect(ratio).toBeGreaterThan(0.5); // sane: the other 1016 channels are still INT4 in blocks of 64
  });

  it('the 0.4% largest weights in fp16 (4.38 bpw) beat INT4 blocks of 32 by at least 25%', () => {
    const r = applyRetention(w, rows, cols, { axis: 'element', select: { kind: 'top', count: 1024 } }, int4);
    expect(r.bitsPerWeight).toBeLessThan(4.5);
    const ratio = mse(w, r.xhat) / rtnMse(32);
    expect(ratio).toBeLessThan(0.75);
    expect(ratio).toBeGreaterThan(0.4);
  });
});
