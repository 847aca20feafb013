// tests: the correctness check every matmul figure of the bench carries (bench/suites/matmul.ts sampledReference, checkSampled): the same values and bound as matmulPackedReference and tests/gpu/matmul-packed.test.ts, and a wrong output fails it.
import { describe, expect, it } from 'vitest';
import { normalFloats, syntheticPacked, type MatmulBits } from '../../bench/data';
import { checkSampled, sampledReference } from '../../bench/suites/matmul';
import { F32_MIN_NORMAL } from '../../src/lib/f32';
import { absProducts, F32_UNIT_ROUNDOFF, gammaF32, matmulPackedReference } from '../../src/quant/packed/matmul';
import { dequantizePacked } from '../../src/quant/packed/weights';

const n = 37, k = 96, m = 3;

describe('sampledReference', () => {
  it.each<MatmulBits>([2, 3, 4, 8, 'f32'])('samples y = x·Ŵᵀ bit for bit as matmulPackedReference computes it, %s weights', (bits) => {
    const p = syntheticPacked(n, k, bits, 5);
    const x = normalFloats(m * k, 6);
    const y = matmulPackedReference(x, m, p);
    const s = absProducts(x, m, dequantizePacked(p), n, k);
    const samples = sampledReference(p, x, m, 7);
    expect(samples.length).toBeGreaterThan(0);
    for (const sample of samples) {
      expect(sample.at).toBeLessThan(m * n);
      expect(sample.value).toBe(y[sample.at]);
      // The bound of tests/gpu/matmul-packed.test.ts at this output.
      expect(sample.tolerance).toBe((gammaF32(k) + gammaF32(k + 6) + F32_UNIT_ROUNDOFF) * s[sample.at] + k * F32_MIN_NORMAL);
    }
    // Seeded: the same seed samples the same outputs.
    expect(sampledReference(p, x, m, 7).map((v) => v.at)).toEqual(samples.map((v) => v.at));
  });
});

describe('checkSampled', () => {
  const p = syntheticPacked(n, k, 4, 8);
  const x = normalFloats(m * k, 9);
  const y = matmulPackedReference(x, m, p);
  const samples = sampledReference(p, x, m, 10);

  it('passes the reference itself with a zero difference', () => {
    expect(checkSampled(y, samples)).toMatchObject({ maxAbsDiff: 0, ok: true });
  });
  it('passes an output inside the bound and reports the worst difference with its own bound', () => {
    const near = y.slice();
    const s = samples[0];
    near[s.at] = s.value + s.tolerance / 2;
    const c = checkSampled(near, samples);
    expect(c.ok).toBe(true);
    // y is f32: the stored difference is the half bound rounded to f32 (nonzero, well inside the bound).
    expect(c.maxAbsDiff).toBe(Math.abs(near[s.at] - s.value));
    expect(c.maxAbsDiff).toBeGreaterThan(s.tolerance / 4);
    expect(c.tolerance).toBe(s.tolerance);
  });
  it('fails an output one dropped product away, or NaN', () => {
    const wrong = y.slice();
    const s = samples[samples.length - 1];
    wrong[s.at] = s.value + 2 * s.tolerance;
    expect(checkSampled(wrong, samples).ok).toBe(false);
    wrong[s.at] = NaN;
    const c = checkSampled(wrong, samples);
    expect(c.ok).toBe(false);
    expect(c.maxAbsDiff).toBeNaN();
  });
});
