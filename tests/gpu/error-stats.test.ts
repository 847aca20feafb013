// tests: error_stats.wgsl's full metric set (sums, centred moments, |error| percentiles) against src/quant/metrics.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { absErrorCountsOf, decodeErrorStats, encodeErrorStats, errorStatsWorkgroups } from '../../src/gpu/kernels/errorStats';
import { readBuffers } from '../../src/gpu/readback';
import { type GpuRuntime, uploadStorage } from '../../src/gpu/runtime';
import { f32 } from '../../src/lib/f32';
import { createRng, normal, studentT } from '../../src/lib/rng';
import { absErrorHistogram, errorMetrics, errorSums } from '../../src/quant/metrics';
import { createTestRuntime, destroyRuntime } from './harness';

let rt: GpuRuntime;
beforeAll(async () => { rt = await createTestRuntime(); });
afterAll(() => destroyRuntime(rt));

const U = 2 ** -24; // unit roundoff of f32

/**
 * Longest chain of f32 additions any term goes through in the kernel's reduction (mirrors
 * encodeErrorStats: WG 256, errorStatsWorkgroups(n) partials): t sequential terms per thread, an 8-level
 * workgroup tree, ceil(partials / 256) sequential adds in finalize and its 8-level tree. A sum of
 * like-signed terms then has relative error <= L·u (plus the rounding of each term).
 */
function chainLength(n: number): number {
  const partials = errorStatsWorkgroups(n);
  return Math.ceil(n / (partials * 256)) + 8 + Math.ceil(partials / 256) + 8;
}

async function runStats(x: Float32Array, xhat: Float32Array) {
  const enc = rt.device.createCommandEncoder();
  const xb = uploadStorage(rt, x, 'test.x');
  const yb = uploadStorage(rt, xhat, 'test.xhat');
  const s = encodeErrorStats(rt, enc, xb, yb, x.length);
  const [totals, hist] = await readBuffers(rt.device, enc, [s.totals, s.hist]);
  void rt.pool.releaseAfterSubmit([xb, yb, s.totals, s.hist, ...s.scratch]);
  const t = new Float32Array(totals), h = new Uint32Array(hist);
  return { ...decodeErrorStats(t, h, x.length), mean: t[10], absCounts: Array.from(absErrorCountsOf(h)) };
}

/** x̂ from a coarse absmax grid per 32 values (a quantizer-shaped error: bounded, roughly uniform). */
function quantized(x: Float32Array, levels: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let g = 0; g < x.length; g += 32) {
    let amax = 0;
    for (let i = g; i < Math.min(x.length, g + 32); i++) amax = Math.max(amax, Math.abs(x[i]));
    const step = f32(amax / levels) || 1;
    for (let i = g; i < Math.min(x.length, g + 32); i++) out[i] = f32(Math.round(x[i] / step) * step);
  }
  return out;
}

const rand = createRng(2024);
const gauss = (n: number, mu = 0, sigma = 1) => Float32Array.from({ length: n }, () => mu + sigma * normal(rand));
const CASES: [string, Float32Array, Float32Array][] = (() => {
  const cases: [string, Float32Array, Float32Array][] = [];
  const a = Float32Array.from({ length: 5000 }, () => 0.05 * studentT(rand, 3));
  cases.push(['Student-t, 4-bit-like grid, n not a multiple of 256', a, quantized(a, 7)]);
  const b = gauss(300_001, 0, 0.02);
  cases.push(['Gaussian 300 001 (two terms per thread), 8-bit-like grid (1 − cos ~ 1e-5)', b, quantized(b, 127)]);
  const c = gauss(70_000, 1, 0.01);
  cases.push(['mean 100 σ away from 0 (centred moments), 3-bit-like grid', c, quantized(c, 3)]);
  const d = gauss(777, 0, 1);
  cases.push(['x̂ = 0 (cosine undefined)', d, new Float32Array(d.length)]);
  cases.push(['x̂ = x (lossless)', d, d.slice()]);
  cases.push(['one element', Float32Array.from([0.75]), Float32Array.from([0.5])]);
  return cases;
})();

describe('error_stats: every metric of src/quant/metrics.ts on the GPU', () => {
  for (const [name, x, xhat] of CASES) {
    it(name, async () => {
      const gpu = await runStats(x, xhat);
      const ref = errorSums(x, xhat);
      const g = gpu.sums;
      const L = chainLength(x.length);

      // Exact: extremes, and the |error| percentiles (same f32 bin arithmetic, same counts).
      expect(gpu.absCounts).toEqual(absErrorHistogram(x, xhat, ref.maxAbsErr));
      expect([g.maxAbsErr, g.absErrP99, g.absErrP999, g.valueMin, g.valueMax])
        .toEqual([ref.maxAbsErr, ref.absErrP99, ref.absErrP999, ref.valueMin, ref.valueMax]);

      // Like-signed sums: each term is one rounded product (u), then L additions.
      const rel = (p: number, q: number) => (p === q ? 0 : Math.abs(p / q - 1));
      expect(rel(g.sumSqErr, ref.sumSqErr)).toBeLessThanOrEqual((L + 1) * U);
      expect(rel(g.sumSqSignal, ref.sumSqSignal)).toBeLessThanOrEqual((L + 1) * U);
      expect(rel(g.sumSqDequant, ref.sumSqDequant)).toBeLessThanOrEqual((L + 1) * U);
      // Mixed-sign sums: the same bound, relative to the sum of |terms| (x + x̂ adds one rounding).
      let absDiffTerms = 0, absX = 0;
      for (let i = 0; i < x.length; i++) {
        absDiffTerms += Math.abs(f32(x[i] - xhat[i]) * (x[i] + xhat[i]));
        absX += Math.abs(x[i]);
      }
      expect(Math.abs(g.sumSqDiff - ref.sumSqDiff)).toBeLessThanOrEqual((L + 2) * U * absDiffTerms);
      expect(Math.abs(g.sumSignal - ref.sumSignal)).toBeLessThanOrEqual(L * U * absX);
      // The mean: the sum's error / n, plus WGSL's division (2.5 ulp) rounded to 3 u.
      const mean = ref.sumSignal / x.length;
      expect(Math.abs(gpu.mean - mean)).toBeLessThanOrEqual((L * U * absX) / x.length + 3 * U * Math.abs(gpu.mean));

      // Centred moments, against the reference centred on the GPU's own mean (the mean's error is
      // checked above; its effect on the kurtosis is bounded in engine.test.ts): d = x − μ rounds (u),
      // d² 3u, d⁴ 7u, then L additions.
      let c2 = 0, c4 = 0;
      for (const v of x) { const d2 = (v - gpu.mean) ** 2; c2 += d2; c4 += d2 * d2; }
      expect(rel(g.sumCentred2, c2)).toBeLessThanOrEqual((L + 3) * U);
      expect(rel(g.sumCentred4, c4)).toBeLessThanOrEqual((L + 7) * U);

      // Derived metrics through the same errorMetrics.
      const mg = errorMetrics(g), mr = errorMetrics(ref);
      // 1 − cos = (Σe² − γ²) / (2‖x‖‖x̂‖), γ = Σe(x + x̂) / (‖x‖ + ‖x̂‖) with |γ| <= ‖e‖: Σe² carries
      // (L+1)u, γ² at most 2(L+2)u·Σe², the norms (L+1)u — relative to Σe² − γ².
      if (Number.isNaN(mr.oneMinusCosine)) expect(mg.oneMinusCosine).toBeNaN();
      else {
        const gamma2 = (ref.sumSqDiff / (Math.sqrt(ref.sumSqSignal) + Math.sqrt(ref.sumSqDequant))) ** 2;
        const tol = mr.oneMinusCosine === 0 ? 0 : ((3 * L + 5) * ref.sumSqErr / (ref.sumSqErr - gamma2) + (L + 1)) * U;
        expect(rel(mg.oneMinusCosine, mr.oneMinusCosine), `1 − cos ${mg.oneMinusCosine} vs ${mr.oneMinusCosine}`).toBeLessThanOrEqual(tol);
      }
      expect(rel(mg.relFrobenius, mr.relFrobenius)).toBeLessThanOrEqual((L + 1) * U); // half of each sum's bound, twice
      expect(rel(mg.rmse, mr.rmse)).toBeLessThanOrEqual((L + 1) * U);
    });
  }

  it('a 1M-element tensor (several terms per thread)', async () => {
    const x = gauss(1 << 20, 0, 0.02);
    const xhat = quantized(x, 7);
    const gpu = await runStats(x, xhat);
    const ref = errorSums(x, xhat);
    expect([gpu.sums.absErrP99, gpu.sums.absErrP999, gpu.sums.maxAbsErr]).toEqual([ref.absErrP99, ref.absErrP999, ref.maxAbsErr]);
    const L = chainLength(x.length); // 16 + 8 + 1 + 8 = 33
    expect(Math.abs(gpu.sums.sumSqErr / ref.sumSqErr - 1)).toBeLessThanOrEqual((L + 1) * U);
    // Kurtosis end to end, bound as in engine.test.ts (zero-mean source).
    expect(Math.abs(errorMetrics(gpu.sums).kurtosis / errorMetrics(ref).kurtosis - 1)).toBeLessThanOrEqual((11 * L + 37) * U);
  });
});
