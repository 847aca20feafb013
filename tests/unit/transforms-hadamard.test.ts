// tests: Hadamard rotation as a weight-side method (src/quant/transforms/rotation.ts): no gain on Gaussian weights, a large one on outliers.
import { describe, expect, it } from 'vitest';
import { hadamardRotation, rotateInputDim } from '../../src/quant/hadamard/rotation';
import { applyRotation, defaultRotationBlock } from '../../src/quant/transforms/rotation';
import { mse, rtn, weights } from './transforms-fixtures';

const rows = 256, cols = 768; // GPT-2's width: 12 × 64, a dense order-12 factor

describe('Hadamard rotation as a method', () => {
  it('its error is the error in the rotated basis (R is orthonormal) and it costs the 32-bit seed', () => {
    const w = weights(rows, cols, 'student-t', 4, 10);
    const r = applyRotation(w, rows, cols, { seed: 3 }, rtn(4));
    const rotated = rotateInputDim(w, rows, cols, hadamardRotation(cols, { seed: 3 }));
    // ‖W − Q(W')R‖ = ‖W' − Q(W')‖ exactly in real arithmetic; f32 rotations add ~1e-7 relative noise
    expect(mse(w, r.xhat) / mse(rotated, rtn(4)(rotated, rows, cols))).toBeCloseTo(1, 4);
    expect(r.extraBits).toBe(32);
    expect(r.info).toEqual({ block: 768, order: 12 });
    expect(applyRotation(w, rows, cols, { seed: null }, rtn(4)).extraBits).toBe(0);
  });

  it('picks the whole row when it has a Hadamard order, else the largest block that has one', () => {
    expect(defaultRotationBlock(768)).toBe(768);
    expect(defaultRotationBlock(4096)).toBe(4096);
    const block = defaultRotationBlock(100);
    expect(100 % block).toBe(0);
    expect(() => hadamardRotation(100, { block })).not.toThrow();
  });

  it('gives no gain on Gaussian weights: they are already incoherent (error ratio within 5% of 1, over 4 seeds)', () => {
    // A rotation of i.i.d. Gaussian rows is again i.i.d. Gaussian: nothing to spread. The ratio only
    // moves by the sampling noise of the block maxima (~1% here).
    const w = weights(rows, cols, 'gaussian');
    for (const bits of [4, 3]) {
      const plain = mse(w, rtn(bits)(w, rows, cols));
      const ratios = [0, 1, 2, 3].map((seed) => mse(w, applyRotation(w, rows, cols, { seed }, rtn(bits)).xhat) / plain);
      for (const ratio of ratios) expect(Math.abs(ratio - 1)).toBeLessThan(0.05);
    }
  });

  it('on Student-t weights with outlier channels it cuts INT4 error at least 2× at the same bits', () => {
    // The 10× channels stretch nearly every block of 64; rotated, each row's energy spreads evenly.
    const w = weights(rows, cols, 'student-t', 8, 10);
    const ratio = mse(w, applyRotation(w, rows, cols, { seed: 1 }, rtn(4)).xhat) / mse(w, rtn(4)(w, rows, cols));
    expect(ratio).toBeLessThan(0.5);
    expect(ratio).toBeGreaterThan(0.05); // sane: the rotated weights are near-Gaussian, still INT4
  });
});
