// tests: quant_int.wgsl and error_stats.wgsl against the CPU reference on seeded random tensors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeErrorStats, encodeErrorStats } from '../../src/gpu/kernels/errorStats';
import { chunkThreadsPerGroup, encodeIntDecode, encodeIntQuant, intParamsThreads } from '../../src/gpu/kernels/quantInt';
import { readBuffers } from '../../src/gpu/readback';
import { type GpuRuntime, uploadStorage } from '../../src/gpu/runtime';
import { createRng, studentT } from '../../src/lib/rng';
import type { IntClip } from '../../src/quant/clip';
import { type GroupKind, groupLayout } from '../../src/quant/groups';
import {
  dequantizeInt, INT_MODES, intClipThreshold, type IntFormatParams, intFormatProblem, type IntMode, quantizeInt,
} from '../../src/quant/int';
import { errorSums, histograms } from '../../src/quant/metrics';
import { SCALE_ENCODINGS } from '../../src/quant/scaleEncoding';
import { createTestRuntime, destroyRuntime } from './harness';

let rt: GpuRuntime;
beforeAll(async () => { rt = await createTestRuntime(); });
afterAll(() => destroyRuntime(rt));

function heavyTailed(n: number, seed: number): Float32Array {
  const rand = createRng(seed);
  return Float32Array.from({ length: n }, () => studentT(rand, 3) * 0.05);
}

/**
 * Student-t noise with the awkward groups mixed in by row: every 5th row shifted positive (asym
 * grids that do not contain 0, asym-float zero points < 0), every 7th row all zero, every 11th
 * row constant. Values below 1e-30 are already impossible (t * 0.05 with t from Box-Muller).
 */
function mixed(rows: number, cols: number, seed: number): Float32Array {
  const x = heavyTailed(rows * cols, seed);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const i = r * cols + c;
      if (r % 7 === 2) x[i] = 0;
      else if (r % 11 === 3) x[i] = 0.125;
      else if (r % 5 === 1) x[i] = Math.fround(Math.abs(x[i]) + 0.3);
    }
  }
  return x;
}

async function runGpu(x: Float32Array, rows: number, cols: number, kind: GroupKind, block: number, format: IntFormatParams) {
  const layout = groupLayout(rows, cols, kind, block);
  const enc = rt.device.createCommandEncoder();
  const xb = uploadStorage(rt, x, 'test.x');
  const q = encodeIntQuant(rt, enc, xb, x.length, layout, format, intClipThreshold(x, format));
  const s = encodeErrorStats(rt, enc, xb, q.xhat, x.length);
  const [scales, zeros, ratios, words, xhat, totals, hist] = await readBuffers(rt.device, enc, [q.scales, q.zeros, q.ratios, q.words, q.xhat, s.totals, s.hist]);
  void rt.pool.releaseAfterSubmit([xb, ...Object.values(q), s.totals, s.hist, ...s.scratch]);
  return {
    layout,
    scales: new Float32Array(scales, 0, layout.groupCount),
    zeros: new Float32Array(zeros, 0, layout.groupCount),
    ratios: new Uint32Array(ratios, 0, layout.groupCount),
    words: new Uint32Array(words),
    xhat: new Float32Array(xhat, 0, x.length),
    stats: decodeErrorStats(new Float32Array(totals), new Uint32Array(hist), x.length),
  };
}

async function expectParity(x: Float32Array, rows: number, cols: number, kind: GroupKind, block: number, format: IntFormatParams) {
  const gpu = await runGpu(x, rows, cols, kind, block, format);
  const ref = quantizeInt(x, gpu.layout, format);
  const where = `${JSON.stringify(format)} on ${rows}x${cols} ${kind} ${block}`;
  expect(Array.from(gpu.scales), where).toEqual(Array.from(ref.scales));
  expect(Array.from(gpu.zeros), where).toEqual(Array.from(ref.zeros));
  expect(Array.from(gpu.ratios), where).toEqual(Array.from(ref.clipRatio));
  expect(Array.from(gpu.words), where).toEqual(Array.from(ref.words));
  expect(Array.from(gpu.xhat), where).toEqual(Array.from(dequantizeInt(ref)));
}

// Shapes that are not multiples of the workgroup (256) or of the block size, plus one large-ish.
const SHAPES: [number, number, GroupKind, number][] = [
  [37, 53, 'block', 16], [64, 100, 'block', 7], [129, 65, 'row', 0], [33, 70, 'column', 0],
  [50, 41, 'tensor', 0], [256, 300, 'block', 64], [3, 5, 'block', 4096],
  // one-pass quantize_chunks (chunkThreadsPerGroup): 1, 2, 8, 32 and 256 threads per group, partial last workgroups
  [37, 64, 'block', 32], [45, 256, 'block', 64], [6, 512, 'block', 256], [9, 1024, 'row', 0], [3, 8192, 'row', 0],
];

describe('quant_int: which layouts take the one-pass kernel', () => {
  it('full contiguous groups of 32·2^k (2^k <= 256) without the MSE search, nothing else', () => {
    const layout = (rows: number, cols: number, kind: GroupKind, block = 0) => groupLayout(rows, cols, kind, block);
    expect(chunkThreadsPerGroup(layout(4, 256, 'block', 64), 'none')).toBe(2);
    expect(chunkThreadsPerGroup(layout(4, 256, 'block', 64), 'percentile')).toBe(2);
    expect(chunkThreadsPerGroup(layout(4, 8192, 'row'), 'none')).toBe(256);
    expect(chunkThreadsPerGroup(layout(4, 256, 'block', 64), 'mse')).toBeNull();
    expect(chunkThreadsPerGroup(layout(4, 300, 'block', 64), 'none')).toBeNull(); // a short last group per row
    expect(chunkThreadsPerGroup(layout(4, 96, 'block', 96), 'none')).toBeNull(); // 3 threads: not a power of two
    expect(chunkThreadsPerGroup(layout(4, 256, 'block', 16), 'none')).toBeNull();
    expect(chunkThreadsPerGroup(layout(64, 64, 'column'), 'none')).toBeNull();
    expect(chunkThreadsPerGroup(layout(2, 16384, 'row'), 'none')).toBeNull(); // 512 threads per group
  });
});

describe('quant_int kernels match src/quant/int.ts (legacy sym / asym)', () => {
  for (const bits of [2, 3, 4, 5, 6, 7, 8]) {
    for (const symmetric of [true, false]) {
      it(`INT${bits} ${symmetric ? 'sym' : 'asym'}: codes bit-exact, scales and dequantized values equal`, async () => {
        for (const [k, [rows, cols, kind, block]] of SHAPES.entries()) {
          await expectParity(heavyTailed(rows * cols, bits * 100 + k), rows, cols, kind, block, { bits, symmetric });
        }
      });
    }
  }
});

// Every mode x scale encoding x clip (57 valid of 60: asym-float cannot use E8M0) runs on two shapes,
// with bits, rounding, seed and percentile drawn from a seeded generator, so each value of every
// option meets each other option's values across the sweep without running the 960-case product
// (about 0.15 s per case here: pipelines compile per override set).
const CLIPS: IntClip[] = [{ kind: 'none' }, { kind: 'percentile', p: 99 }, { kind: 'mse' }];
const SHAPES_ODD: [number, number, GroupKind, number][] = [
  [37, 53, 'block', 16], [64, 100, 'block', 7], [29, 65, 'row', 0], [33, 70, 'column', 0],
  [50, 41, 'tensor', 0], [40, 300, 'block', 64], [3, 5, 'block', 4096], [23, 77, 'block', 33],
  [37, 64, 'block', 32], [21, 256, 'block', 64], [11, 1024, 'row', 0],
];

function sweep(): IntFormatParams[] {
  const rand = createRng(20250);
  const out: IntFormatParams[] = [];
  for (const mode of INT_MODES) {
    for (const scale of SCALE_ENCODINGS) {
      for (const [c, clip] of CLIPS.entries()) {
        const minBits = mode === 'sym' || mode === 'sym-full' ? 2 : 1;
        const bits = minBits + Math.floor(rand() * (9 - minBits));
        const stochastic = (out.length + c) % 2 === 1;
        const f: IntFormatParams = {
          bits, mode: mode as IntMode, scale,
          rounding: stochastic ? 'stochastic' : 'nearest', seed: Math.floor(rand() * 2 ** 32),
          clip: clip.kind === 'percentile' ? { kind: 'percentile', p: 90 + Math.round(rand() * 100) / 10 } : clip,
        };
        if (intFormatProblem(f) === null) out.push(f);
      }
    }
  }
  return out;
}

describe('quant_int kernels match src/quant/int.ts (modes x scale encodings x clipping x rounding)', () => {
  const formats = sweep();
  it('sweeps 57 combinations', () => {
    expect(formats.length).toBe(57);
    // Both roundings and every bit width appear.
    expect(new Set(formats.map((f) => f.rounding))).toEqual(new Set(['nearest', 'stochastic']));
    expect(new Set(formats.map((f) => f.bits)).size).toBe(8);
  });
  for (const [k, format] of formats.entries()) {
    const shapes = [SHAPES_ODD[k % SHAPES_ODD.length], SHAPES_ODD[(k + 3) % SHAPES_ODD.length]];
    it(`${format.mode} INT${format.bits} ${format.scale} ${format.clip?.kind} ${format.rounding} on ${shapes.map((s) => s.join(' ')).join(', ')}`, async () => {
      for (const [j, [rows, cols, kind, block]] of shapes.entries()) {
        await expectParity(mixed(rows, cols, 500 + 2 * k + j), rows, cols, kind, block, format);
      }
    });
  }
  it('stochastic rounding: the same seed gives the same codes, another seed other codes, on the GPU too', async () => {
    const x = heavyTailed(61 * 37, 77);
    const base: IntFormatParams = { bits: 3, mode: 'asym-float', scale: 'fp16', rounding: 'stochastic', seed: 12345 };
    const a = await runGpu(x, 61, 37, 'block', 32, base);
    const b = await runGpu(x, 61, 37, 'block', 32, base);
    const c = await runGpu(x, 61, 37, 'block', 32, { ...base, seed: 12346 });
    expect(Array.from(a.words)).toEqual(Array.from(b.words));
    expect(Array.from(a.words)).not.toEqual(Array.from(c.words));
  });
  it('MSE clip search on a 1-group tensor larger than the workgroup (every thread accumulates many elements)', async () => {
    const x = heavyTailed(300 * 257, 99);
    await expectParity(x, 300, 257, 'tensor', 0, { bits: 4, mode: 'sym', clip: { kind: 'mse' } });
    await expectParity(x, 300, 257, 'tensor', 0, { bits: 3, mode: 'asym-float', scale: 'bf16', clip: { kind: 'mse' }, rounding: 'stochastic', seed: 7 });
  });
  it('the decode pass alone (stored codes) gives the x̂ that the encode pass wrote, bit for bit', async () => {
    // encodeIntQuant writes x̂ from the codes it packs; encodeIntDecode reads them back from the words.
    for (const [rows, cols, kind, block, format] of [
      [37, 53, 'block', 16, { bits: 3, mode: 'asym-float', scale: 'fp16' }], [64, 100, 'block', 7, { bits: 5, mode: 'asym' }],
      [29, 65, 'row', 0, { bits: 7, mode: 'sym-full', scale: 'bf16' }], [33, 70, 'column', 0, { bits: 1, mode: 'asym' }],
      [21, 256, 'block', 64, { bits: 3, mode: 'asym' }], [5, 1024, 'row', 0, { bits: 6, mode: 'sym', scale: 'e4m3' }], // quantize_chunks
    ] as [number, number, GroupKind, number, IntFormatParams][]) {
      const x = mixed(rows, cols, rows + cols);
      const layout = groupLayout(rows, cols, kind, block);
      const enc = rt.device.createCommandEncoder();
      const xb = uploadStorage(rt, x, 'test.x');
      const q = encodeIntQuant(rt, enc, xb, x.length, layout, format);
      const fused = rt.pool.acquire(x.length * 4, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST, 'test.fused_xhat');
      enc.copyBufferToBuffer(q.xhat, 0, fused, 0, x.length * 4);
      enc.clearBuffer(q.xhat);
      encodeIntDecode(rt, enc, q, x.length, format);
      const [a, b] = await readBuffers(rt.device, enc, [fused, q.xhat]);
      void rt.pool.releaseAfterSubmit([xb, fused, ...Object.values(q)]);
      const expected = Array.from(dequantizeInt(quantizeInt(x, layout, format)));
      expect(Array.from(new Float32Array(a, 0, x.length)), `${rows}x${cols} ${kind} ${block}`).toEqual(expected);
      expect(Array.from(new Float32Array(b, 0, x.length)), `${rows}x${cols} ${kind} ${block}`).toEqual(expected);
    }
  });
  it('group_params threads per group: about 8 elements each, a power of two from 1 to 256', () => {
    expect([1, 7, 8, 9, 16, 17, 64, 65, 2048, 2049, 1 << 20].map(intParamsThreads)).toEqual([1, 1, 1, 2, 2, 4, 8, 16, 256, 256, 256]);
  });
  it('a percentile clip without its threshold is refused', () => {
    const enc = rt.device.createCommandEncoder();
    const xb = uploadStorage(rt, new Float32Array(4), 'test.x');
    expect(() => encodeIntQuant(rt, enc, xb, 4, groupLayout(1, 4, 'row'), { bits: 4, clip: { kind: 'percentile', p: 99 } })).toThrow(/threshold/);
    expect(() => encodeIntQuant(rt, enc, xb, 4, groupLayout(1, 4, 'row'), { bits: 4, mode: 'asym-float', scale: 'e8m0' })).toThrow(/E8M0/);
    void rt.pool.releaseAfterSubmit([xb]);
  });
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
