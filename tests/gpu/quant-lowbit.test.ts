// tests: binary and ternary (meanabs mode of quant_table.wgsl) against src/quant/nonuniform/{binary,ternary}.ts, bit for bit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableFormatFor } from '../../src/engine/gpuBackend';
import {
  BINARY_CODEBOOK, doubleQuantizeTableScales, encodeTableDecode, encodeTableQuant, type TableFormat, TERNARY_CODEBOOK,
} from '../../src/gpu/kernels/quantTable';
import { readBuffers } from '../../src/gpu/readback';
import { type GpuRuntime, uploadStorage } from '../../src/gpu/runtime';
import { f32 } from '../../src/lib/f32';
import { dequantizeAbsmax, quantizeAbsmax, type ScaleType } from '../../src/quant/formats/absmax';
import { IQ4NL_VALUES, NF4 } from '../../src/quant/formats/codebooks';
import { dequantizeIq4nl, quantizeIq4nl } from '../../src/quant/formats/iq4nl';
import { type GroupKind, type GroupLayout, groupIndices, groupLayout } from '../../src/quant/groups';
import { dequantizeBinary, quantizeBinary } from '../../src/quant/nonuniform/binary';
import { BITNET_EPS, dequantizeTernary, quantizeTernary } from '../../src/quant/nonuniform/ternary';
import { createRng, studentT } from '../../src/lib/rng';
import { createTestRuntime, destroyRuntime } from './harness';

let rt: GpuRuntime;
beforeAll(async () => { rt = await createTestRuntime(); });
afterAll(() => destroyRuntime(rt));

type Rand = () => number;

const bitsOf = (a: Float32Array): Uint32Array => new Uint32Array(a.buffer, a.byteOffset, a.length);
const heavyTailed = (rand: Rand, n: number, spread: number): number[] =>
  Array.from({ length: n }, () => studentT(rand, 3) * 2 ** Math.round((rand() * 2 - 1) * spread));

function expectSame(what: string, gpu: ArrayLike<number>, ref: ArrayLike<number>): void {
  expect(gpu.length, `${what}: length`).toBe(ref.length);
  for (let i = 0; i < ref.length; i++) {
    if (gpu[i] !== ref[i]) {
      const hex = (v: number) => `0x${(v >>> 0).toString(16)}`;
      expect.fail(`${what}[${i}]: gpu ${hex(gpu[i])} != cpu ${hex(ref[i])}`);
    }
  }
}

function fillGroups(x: Float32Array, layout: GroupLayout, block: (g: number, len: number) => number[]): void {
  for (let g = 0; g < layout.groupCount; g++) {
    const idx = groupIndices(layout, g);
    const vals = block(g, idx.length);
    idx.forEach((i, k) => { x[i] = vals[k]; });
  }
}

const cycle = (pool: number[], len: number, offset = 0): number[] => Array.from({ length: len }, (_, k) => pool[(offset + k) % pool.length]);

/** Groups that exercise the fixed-point mean: exact ties, subnormal means (guard and sticky bits), wide ranges, zeros. */
function block(rand: Rand, g: number, len: number): number[] {
  switch (g % 10) {
    case 1: return cycle([0.5, -1.5, 1.5, -0.5], len, g); // mean 1 (len even): codes at exact ±0.5 ties
    case 2: return cycle([0, -0], len, g);
    case 3: return cycle([2 ** -149, 0, -0], len, g); // mean ~2^-149/3: rounds to 0
    case 4: return cycle([3 * 2 ** -149, -(2 ** -149), 0], len, g); // subnormal mean near ties
    case 5: return heavyTailed(rand, len, 1).map((v) => v * 2 ** -135); // subnormal inputs and mean
    case 6: return [3e38, ...heavyTailed(rand, len - 1, 60).map((v) => v * 1e-20)]; // truncated terms
    case 7: return heavyTailed(rand, len, 0).map((v) => v * 2 ** -30); // fp16 scale underflows
    case 8: return cycle([2 ** -40, -(2 ** -40), 1], len, g); // terms below the fixed point's unit
    default: return heavyTailed(rand, len, 3).map((v) => v * 0.02);
  }
}

interface Shape { rows: number; cols: number; kind: GroupKind; block: number }
const shape = (rows: number, cols: number, kind: GroupKind, b = 0): Shape => ({ rows, cols, kind, block: b });
const SHAPES = [
  shape(37, 53, 'block', 16), shape(33, 70, 'column'), shape(50, 41, 'block', 64), shape(9, 300, 'row'),
  shape(64, 130, 'block', 128), shape(3, 7, 'block', 2), shape(1, 1, 'tensor'),
];

async function expectParity(where: string, x: Float32Array, layout: GroupLayout, format: TableFormat,
  ref: { words: Uint32Array; scales: Float32Array; xhat: Float32Array }): Promise<void> {
  const enc = rt.device.createCommandEncoder({ label: 'test.quant_lowbit' });
  const xb = uploadStorage(rt, x, 'test.x');
  const q = encodeTableQuant(rt, enc, xb, x.length, layout, format);
  const [words, xhat, groups] = await readBuffers(rt.device, enc, [q.words, q.xhat, q.groups]);
  void rt.pool.releaseAfterSubmit([xb, ...Object.values(q)]);
  expectSame(`${where} scales`, new Uint32Array(groups, 0, 2 * layout.groupCount).filter((_, k) => k % 2 === 0), bitsOf(ref.scales));
  expectSame(`${where} words`, new Uint32Array(words), ref.words);
  expectSame(`${where} xhat`, new Uint32Array(xhat, 0, x.length), bitsOf(ref.xhat));
}

function inputs(seed: number, s: Shape): { x: Float32Array; layout: GroupLayout } {
  const rand = createRng(seed);
  const layout = groupLayout(s.rows, s.cols, s.kind, s.block);
  const x = new Float32Array(s.rows * s.cols);
  fillGroups(x, layout, (g, len) => block(rand, g, len));
  return { x, layout };
}

describe('binary sign(x)·mean|x| (meanabs mode, raw codes) matches binary.ts', () => {
  for (const scaleType of ['fp32', 'fp16', 'bf16'] as ScaleType[]) {
    it(`${scaleType} scales`, async () => {
      const format: TableFormat = { kind: 'meanabs', codebook: BINARY_CODEBOOK, scaleType, floor: 0, raw: true };
      for (const [k, s] of SHAPES.entries()) {
        const { x, layout } = inputs(500 + k, s);
        const q = quantizeBinary(x, layout, scaleType);
        await expectParity(`${s.rows}x${s.cols} ${s.kind}`, x, layout, format, { words: q.words, scales: q.scales, xhat: dequantizeBinary(q) });
      }
    });
  }
});

describe('ternary absmean (meanabs mode, codes of x·(1/γ)) matches ternary.ts', () => {
  for (const scaleType of ['fp32', 'fp16'] as ScaleType[]) {
    it(`${scaleType} scales`, async () => {
      const format: TableFormat = { kind: 'meanabs', codebook: TERNARY_CODEBOOK, scaleType, floor: f32(BITNET_EPS), raw: false };
      for (const [k, s] of [...SHAPES, shape(96, 160, 'tensor')].entries()) {
        const { x, layout } = inputs(600 + k, s);
        const q = quantizeTernary(x, layout, scaleType);
        await expectParity(`${s.rows}x${s.cols} ${s.kind}`, x, layout, format, { words: q.words, scales: q.scales, xhat: dequantizeTernary(q) });
      }
    });
  }
  it('per-tensor Student-t weights and exact ties at ±γ/2', async () => {
    const rand = createRng(7);
    const layout = groupLayout(128, 256, 'tensor');
    const x = Float32Array.from(heavyTailed(rand, 128 * 256, 2).map((v) => v * 0.01));
    const q = quantizeTernary(x, layout);
    const format = tableFormatFor({ kind: 'format', id: 'ternary-bitnet' }, x, layout);
    expect(format?.kind).toBe('meanabs');
    await expectParity('student-t', x, layout, format as TableFormat, { words: q.words, scales: q.scales, xhat: dequantizeTernary(q) });
    const ties = Float32Array.from(cycle([0.5, -0.5, 1.5, -1.5, 0.25, -1.75], 120)); // mean|x| = 1: ±0.5 ties
    const tl = groupLayout(1, 120, 'tensor');
    const qt = quantizeTernary(ties, tl);
    expect(qt.scales[0]).toBe(1);
    await expectParity('ties', ties, tl, format as TableFormat, { words: qt.words, scales: qt.scales, xhat: dequantizeTernary(qt) });
  });
});

describe('NF4 + double quant: GPU codes and absmax, CPU double quant of the read-back scales, GPU decode', () => {
  /** The steps of runNf4DoubleQuant in gpuBackend.ts (GPU absmax, doubleQuantizeTableScales, GPU decode), returning codes, scales and x̂. */
  async function gpuNf4Dq(x: Float32Array, layout: GroupLayout): Promise<{ words: Uint32Array; scales: Float32Array; xhat: Uint32Array }> {
    const table: TableFormat = { kind: 'absmax', codebook: NF4, scaleType: 'fp32' };
    const xb = uploadStorage(rt, x, 'test.x');
    const first = rt.device.createCommandEncoder({ label: 'test.nf4dq_quantize' });
    const q = encodeTableQuant(rt, first, xb, x.length, layout, table);
    await doubleQuantizeTableScales(rt, first, q, layout.groupCount);
    const second = rt.device.createCommandEncoder({ label: 'test.nf4dq_decode' });
    encodeTableDecode(rt, second, q, x.length, table);
    const [words, xhat, back] = await readBuffers(rt.device, second, [q.words, q.xhat, q.groups]);
    void rt.pool.releaseAfterSubmit([xb, ...Object.values(q)]);
    const stored = new Uint32Array(back, 0, 2 * layout.groupCount).filter((_, k) => k % 2 === 0);
    return { words: new Uint32Array(words), scales: new Float32Array(stored.buffer), xhat: new Uint32Array(xhat, 0, x.length) };
  }

  const shapes = [...SHAPES, shape(256, 384, 'row'), shape(300, 300, 'block', 64), shape(1, 64 * 700, 'block', 64)];
  for (const [k, s] of shapes.entries()) {
    it(`${s.rows}x${s.cols} ${s.kind}${s.block ? ` ${s.block}` : ''}`, async () => {
      const rand = createRng(700 + k);
      const layout = groupLayout(s.rows, s.cols, s.kind, s.block);
      const x = new Float32Array(s.rows * s.cols);
      // scales over many binades (the dynamic map's range), all-zero groups (scale 0, NaN code), ties of NF4
      fillGroups(x, layout, (g, len) => (g % 7 === 2 ? cycle([0, -0], len, g)
        : g % 7 === 3 ? cycle([1, -1, 0.5, -0.5, 0.25, 0, -0.7229568362236023], len, g)
          : heavyTailed(rand, len, 2).map((v) => v * 2 ** ((g % 11) - 8))));
      const q = quantizeAbsmax(x, layout, NF4, 'fp32', true);
      const gpu = await gpuNf4Dq(x, layout);
      expectSame('scales', bitsOf(gpu.scales), bitsOf(q.scales));
      expectSame('words', gpu.words, q.words);
      expectSame('xhat', gpu.xhat, bitsOf(dequantizeAbsmax(q)));
    });
  }
});

describe('IQ4_NL (one thread per block, refit summed in element order) matches iq4nl.ts, with every scale storage', () => {
  const mids = IQ4NL_VALUES.slice(1).map((v, k) => (v + IQ4NL_VALUES[k]) / 2);
  const ties = [...mids, ...mids.map((v) => v + 0.25), ...mids.map((v) => v - 0.25), 1, -10, 113, 0, -0];
  const shapes = [
    shape(37, 64, 'block', 32), shape(33, 70, 'block', 32), shape(9, 300, 'block', 32), shape(20, 53, 'column'),
    shape(256, 384, 'block', 32), shape(3, 7, 'block', 32),
  ];
  for (const [k, s] of shapes.entries()) {
    it(`${s.rows}x${s.cols} ${s.kind}${s.block ? ` ${s.block}` : ''}`, async () => {
      const rand = createRng(800 + k);
      const layout = groupLayout(s.rows, s.cols, s.kind, s.block);
      const x = new Float32Array(s.rows * s.cols);
      fillGroups(x, layout, (g, len) => {
        switch (g % 8) {
          case 1: return [-127, ...cycle(ties, len - 1, g * 3)]; // d0 = 1: codes at exact midpoints
          case 2: return [127, ...cycle(ties, len - 1, g * 5).map((v) => -v)]; // positive max: id = -1
          case 3: return cycle([0, -0, 1e-16, -9e-16], len, g); // absmax < 1e-15: d = 0, codes 8
          case 4: { const a = heavyTailed(rand, len, 1); a[len - 1] = -Math.max(...a.map(Math.abs)); a[0] = -a[len - 1]; return a; } // ±amax: first wins
          case 5: return heavyTailed(rand, len, 1).map((v) => v * 1e-12); // fp16 d underflows
          case 6: return heavyTailed(rand, len, 1).map((v) => v * 1e8); // fp16 d saturates
          default: return heavyTailed(rand, len, 3).map((v) => v * 0.02);
        }
      });
      // ggml's fp16 scale (the format's own), then the fp32 / bf16 scale storage options
      for (const scale of ['fp16', 'fp32', 'bf16'] as const) {
        const q = quantizeIq4nl(x, layout, scale);
        const format = tableFormatFor({ kind: 'format', id: 'iq4_nl', ...(scale === 'fp16' ? {} : { options: { scale } }) }, x, layout);
        expect(format).toEqual({ kind: 'iq4nl', scaleType: scale });
        await expectParity(`${s.rows}x${s.cols} ${s.kind} ${scale}`, x, layout, format as TableFormat, { words: q.words, scales: q.scales, xhat: dequantizeIq4nl(q) });
      }
    });
  }
});
