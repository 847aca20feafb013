// tests: quant_int.wgsl and error_stats.wgsl against the CPU reference on seeded random tensors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeErrorStats, encodeErrorStats } from '../../src/gpu/kernels/errorStats';
import { encodeIntQuant } from '../../src/gpu/kernels/quantInt';
import { readBuffers } from '../../src/gpu/readback';
import { type GpuRuntime, uploadStorage } from '../../src/gpu/runtime';
import { type GroupKind, groupLayout } from '../../src/quant/groups';
import { dequantizeInt, type IntFormatParams, quantizeInt } from '../../src/quant/int';
import { errorSums, histograms } from '../../src/quant/metrics';
import { createRng, studentT } from '../../src/lib/rng';
import { createTestRuntime, destroyRuntime } from './harness';

let rt: GpuRuntime;
beforeAll(async () => { rt = await createTestRuntime(); });
afterAll(() => destroyRuntime(rt));

function heavyTailed(n: number, seed: number): Float32Array {
  const rand = createRng(seed);
  return Float32Array.from({ length: n }, () => studentT(rand, 3) * 0.05);
}

async function runGpu(x: Float32Array, rows: number, cols: number, kind: GroupKind, block: number, format: IntFormatParams) {
  const layout = groupLayout(rows, cols, kind, block);
  const enc = rt.device.createCommandEncoder();
  const xb = uploadStorage(rt, x, 'test.x');
  const q = encodeIntQuant(rt, enc, xb, x.length, layout, format);
  const s = encodeErrorStats(rt, enc, xb, q.xhat, x.length);
  const [scales, zeros, words, xhat, totals, hist] = await readBuffers(rt.device, enc, [q.scales, q.zeros, q.words, q.xhat, s.totals, s.hist]);
  void rt.pool.releaseAfterSubmit([xb, ...Object.values(q), s.totals, s.hist, ...s.scratch]);
  return {
    layout,
    scales: new Float32Array(scales, 0, layout.groupCount),
    zeros: new Float32Array(zeros, 0, layout.groupCount),
    words: new Uint32Array(words),
    xhat: new Float32Array(xhat, 0, x.length),
    stats: decodeErrorStats(new Float32Array(totals), new Uint32Array(hist), x.length),
  };
}

// Shapes that are not multiples of the workgroup (256) or of the block size, plus one large-ish.
const SHAPES: [number, number, GroupKind, number][] = [
  [37, 53, 'block', 16], [64, 100, 'block', 7], [129, 65, 'row', 0], [33, 70, 'column', 0],
  [50, 41, 'tensor', 0], [256, 300, 'block', 64], [3, 5, 'block', 4096],
];

describe('quant_int kernels match src/quant/int.ts', () => {
  for (const bits of [2, 3, 4, 5, 6, 7, 8]) {
    for (const symmetric of [true, false]) {
      it(`INT${bits} ${symmetric ? 'sym' : 'asym'}: codes bit-exact, scales and dequantized values equal`, async () => {
        for (const [k, [rows, cols, kind, block]] of SHAPES.entries()) {
          const x = heavyTailed(rows * cols, bits * 100 + k);
          const format = { bits, symmetric };
          const gpu = await runGpu(x, rows, cols, kind, block, format);
          const ref = quantizeInt(x, gpu.layout, format);
          const where = `${rows}x${cols} ${kind} ${block}`;
          expect(Array.from(gpu.scales), where).toEqual(Array.from(ref.scales));
          expect(Array.from(gpu.zeros), where).toEqual(Array.from(ref.zeros));
          expect(Array.from(gpu.words), where).toEqual(Array.from(ref.words));
          expect(Array.from(gpu.xhat), where).toEqual(Array.from(dequantizeInt(ref)));
        }
      });
    }
  }
});

describe('error_stats kernels match src/quant/metrics.ts', () => {
  it('histograms exactly and sums within f32 summation error', async () => {
    for (const [k, [rows, cols, kind, block]] of SHAPES.entries()) {
      const x = heavyTailed(rows * cols, 7000 + k);
      const format = { bits: 3, symmetric: false };
      const gpu = await runGpu(x, rows, cols, kind, block, format);
      const refSums = errorSums(x, gpu.xhat);
      const refHist = histograms(x, gpu.xhat, refSums);
      const { sums, histograms: hist } = gpu.stats;
      expect(sums.maxAbsErr).toBe(refSums.maxAbsErr);
      expect(sums.valueMin).toBe(refSums.valueMin);
      expect(sums.valueMax).toBe(refSums.valueMax);
      // f32 sums over <= 64 sequential terms per thread plus an 18-level tree: relative error
      // <= (64 + 18) * 2^-24 ~ 5e-6; 1e-5 leaves headroom.
      expect(Math.abs(sums.sumSqErr / refSums.sumSqErr - 1)).toBeLessThan(1e-5);
      expect(Math.abs(sums.sumSqSignal / refSums.sumSqSignal - 1)).toBeLessThan(1e-5);
      expect(hist.original).toEqual(refHist.original);
      expect(hist.dequantized).toEqual(refHist.dequantized);
      expect(hist.error).toEqual(refHist.error);
    }
  });
});
