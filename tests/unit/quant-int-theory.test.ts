// tests (quant layer): the symmetric INT reference against quantization theory (uniform noise step^2/12).
import { describe, expect, it } from 'vitest';
import { f32 } from '../../src/lib/f32';
import { createRng } from '../../src/lib/rng';
import { groupLayout } from '../../src/quant/groups';
import { dequantizeInt, quantizeInt } from '../../src/quant/int';
import { errorMetrics, errorSums } from '../../src/quant/metrics';

describe('uniform symmetric INT quantizer on Uniform(-1, 1), per-tensor', () => {
  const n = 1 << 16;
  const rand = createRng(2024);
  const x = Float32Array.from({ length: n }, () => f32(rand() * 2 - 1));
  const layout = groupLayout(256, 256, 'tensor');

  for (let bits = 2; bits <= 8; bits++) {
    it(`INT${bits}: MSE = step^2 / 12 within 2%`, () => {
      const q = quantizeInt(x, layout, { bits, symmetric: true });
      const step = q.scales[0];
      // The grid is k * step for |k| <= qmax with qmax * step = absmax, and the data is uniform on
      // [-absmax, absmax]. Inner cells have width step and error uniform on [-step/2, step/2]; the two
      // outer half-cells have error uniform on [-step/2, 0] or [0, step/2]. Both give E[e^2] = step^2/12
      // exactly, at every width (no "many levels" approximation needed).
      // Sampling: Var(e^2) = step^4/80 - step^4/144 = step^4/180, so the relative std error of the
      // mean is (12 / sqrt(180)) / sqrt(n) = 0.894 / 256 = 0.35%; 2% is ~5.7 std. f32 rounding of the
      // reference adds ~1e-7 relative, negligible.
      const { mse } = errorMetrics(errorSums(x, dequantizeInt(q)));
      expect(Math.abs(mse / (step * step / 12) - 1)).toBeLessThan(0.02);
      // And the step is the one the format defines: absmax / (2^(b-1) - 1), absmax just below 1.
      expect(Math.abs(step * ((1 << (bits - 1)) - 1) - 1)).toBeLessThan(1e-3); // max of 2^16 uniforms: 1 - ~1.5e-5
    });
  }
});
