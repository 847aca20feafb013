// tests: the per-group clip-ratio search for any format (src/quant/transforms/clipSearch.ts).
import { describe, expect, it } from 'vitest';
import { CLIP_RATIOS } from '../../src/quant/clip';
import { groupIndices } from '../../src/quant/groups';
import { dequantizeInt, quantizeInt } from '../../src/quant/int';
import { baseQuantizer } from '../../src/quant/transforms/base';
import { applyClipSearch } from '../../src/quant/transforms/clipSearch';
import { mse, rtn, weights } from './transforms-fixtures';

const rows = 128, cols = 512;
const w = weights(rows, cols, 'student-t', 4, 10);

describe('clipping search', () => {
  it('never does worse than no clipping, group by group, for absmax, codebook, MX and NVFP4 formats', () => {
    const formats = [
      baseQuantizer({ kind: 'int', params: { bits: 4, mode: 'sym', scale: 'fp16' } }, 'block', 64),
      baseQuantizer({ kind: 'format', id: 'nf4' }, 'block', 64),
      baseQuantizer({ kind: 'format', id: 'fp4-e2m1' }, 'row', 0),
      baseQuantizer({ kind: 'format', id: 'mxfp4' }, 'block', 32),
      baseQuantizer({ kind: 'format', id: 'nvfp4' }, 'block', 16),
    ];
    for (const q of formats) {
      const plain = q(w, rows, cols);
      const r = applyClipSearch(w, rows, cols, {}, q);
      const layout = q.layout(rows, cols);
      for (let g = 0; g < layout.groupCount; g += 37) {
        const err = (x: Float32Array) => groupIndices(layout, g).reduce((s, i) => s + (w[i] - x[i]) ** 2, 0);
        // NVFP4's tensor scale can move when the largest group is clipped: compare it on the whole tensor only
        if (q.layout(rows, cols).groupSize !== 16) expect(err(r.xhat)).toBeLessThanOrEqual(err(plain));
      }
      expect(mse(w, r.xhat)).toBeLessThanOrEqual(mse(w, plain));
      expect(r.extraBits).toBe(0);
      expect(r.info.histogram.reduce((a, b) => a + b, 0)).toBe(layout.groupCount);
    }
  });

  it('for the integer format it is the `clip: mse` option: the same error to 1%', () => {
    // Same ratio grid and ranges; the integer option sums errors in truncated fixed point, this one in
    // f64, so a near-tie can pick a neighbouring ratio: the totals agree closely, not bit for bit.
    const params = { bits: 3, mode: 'sym', scale: 'fp16' } as const;
    const layout = rtn(3).layout(rows, cols);
    const builtIn = dequantizeInt(quantizeInt(w, layout, { ...params, clip: { kind: 'mse' } }));
    const searched = applyClipSearch(w, rows, cols, {}, rtn(3)).xhat;
    expect(Math.abs(mse(w, searched) / mse(w, builtIn) - 1)).toBeLessThan(0.01);
    expect(applyClipSearch(w, rows, cols, {}, rtn(3)).info.ratios).toEqual(CLIP_RATIOS);
  });

  it('reduces INT3 error on heavy-tailed data at the same bits by at least 10%', () => {
    // Student-t tails stretch most blocks' absmax; clipping trades a few saturated weights for a finer grid.
    const r = applyClipSearch(w, rows, cols, {}, rtn(3));
    const ratio = mse(w, r.xhat) / mse(w, rtn(3)(w, rows, cols));
    expect(r.bitsPerWeight).toBe(rtn(3).bits(rows, cols) / (rows * cols));
    expect(ratio).toBeLessThan(0.9);
    expect(ratio).toBeGreaterThan(0.6); // sane: clipping cannot add resolution, only move it
    expect(r.info.meanRatio).toBeLessThan(1);
  });

  it('refuses ratios outside (0, 1]', () => {
    expect(() => applyClipSearch(w, rows, cols, { ratios: [1, 1.2] }, rtn(4))).toThrow(/must be in \(0, 1\]/);
  });
});
