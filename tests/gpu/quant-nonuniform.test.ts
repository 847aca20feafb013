// tests: PTQTP (shaders/quant_ptqtp.wgsl) and NUPES (shaders/quant_nupes.wgsl) against src/quant/nonuniform, bit for bit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grid2d } from '../../src/gpu/dispatch';
import { encodeNupesQuant, encodeNupesSearch } from '../../src/gpu/kernels/quantNupes';
import { encodePtqtp } from '../../src/gpu/kernels/quantPtqtp';
import { readBuffers } from '../../src/gpu/readback';
import { encodePass, type GpuRuntime, storageUsage, uploadStorage } from '../../src/gpu/runtime';
import { shaderSource } from '../../src/gpu/shaders';
import { createRng, laplace, normal, studentT } from '../../src/lib/rng';
import type { ScaleType } from '../../src/quant/formats/absmax';
import { type GroupKind, type GroupLayout, groupIndices, groupLayout } from '../../src/quant/groups';
import {
  compand, dequantizeNupes, expand, exponentFromSums, groupErrorSums, NUPES_GRID, quantizeNupes,
} from '../../src/quant/nonuniform/nupes';
import { powF32 } from '../../src/quant/nonuniform/powF32';
import { dequantizePtqtp, quantizePtqtp } from '../../src/quant/nonuniform/ptqtp';
import { dequantizeInt, quantizeInt } from '../../src/quant/int';
import { createTestRuntime, destroyRuntime } from './harness';

let rt: GpuRuntime;
beforeAll(async () => { rt = await createTestRuntime(); });
afterAll(() => destroyRuntime(rt));

type Rand = () => number;
const bitsOf = (a: Float32Array): Uint32Array => new Uint32Array(a.buffer, a.byteOffset, a.length);

function expectSame(what: string, gpu: ArrayLike<number>, ref: ArrayLike<number>): void {
  expect(gpu.length, `${what}: length`).toBe(ref.length);
  for (let i = 0; i < ref.length; i++) {
    if (gpu[i] !== ref[i]) expect.fail(`${what}[${i}]: gpu 0x${(gpu[i] >>> 0).toString(16)} != cpu 0x${(ref[i] >>> 0).toString(16)}`);
  }
}

/** Groups aimed at the fits' decision points: zeros, constants, exact ±ties, two-level groups, tiny and huge scales, heavy tails. */
function groupValues(rand: Rand, g: number, len: number): number[] {
  const cycle = (pool: number[]) => Array.from({ length: len }, (_, k) => pool[(g + k) % pool.length]);
  switch (g % 9) {
    case 1: return cycle([0, -0]);
    case 2: return cycle([0.5]);
    case 3: return cycle([1, -1, 0.5, -0.5, 0]); // planes with exact ties
    case 4: return cycle([3, 1, -1, -3]); // represented exactly by two planes
    case 5: return Array.from({ length: len }, () => normal(rand) * 1e-12);
    case 6: return Array.from({ length: len }, () => studentT(rand, 3) * 1e4);
    case 7: return Array.from({ length: len }, (_, k) => (k === 0 ? 50 : laplace(rand) * 0.01)); // one outlier
    default: return Array.from({ length: len }, () => studentT(rand, 4) * 0.02);
  }
}

function tensor(layout: GroupLayout, n: number, seed: number): Float32Array {
  const rand = createRng(seed);
  const x = new Float32Array(n);
  for (let g = 0; g < layout.groupCount; g++) {
    const idx = groupIndices(layout, g);
    const vals = groupValues(rand, g, idx.length);
    idx.forEach((i, k) => { x[i] = vals[k]; });
  }
  return x;
}

interface Shape { rows: number; cols: number; kind: GroupKind; block?: number }
const SHAPES: Shape[] = [
  { rows: 16, cols: 256, kind: 'block', block: 128 },
  { rows: 33, cols: 70, kind: 'column' }, // strided groups
  { rows: 9, cols: 100, kind: 'block', block: 48 }, // tail groups of 4 (most lanes empty)
  { rows: 5, cols: 300, kind: 'row' },
  { rows: 3, cols: 7, kind: 'block', block: 1 }, // single-element groups
  { rows: 40, cols: 96, kind: 'tensor' }, // one group of 3840 (60 elements per lane)
];

describe('quant_ptqtp: the alternating two-plane fit on the GPU equals quantizePtqtp', () => {
  for (const scaleType of ['fp32', 'fp16', 'bf16'] as ScaleType[]) {
    it(`${scaleType} scales: trits, stored (a1, a2), packed planes and dequantized values, every shape`, async () => {
      for (const [k, s] of SHAPES.entries()) {
        const layout = groupLayout(s.rows, s.cols, s.kind, s.block);
        const n = s.rows * s.cols;
        const x = tensor(layout, n, 40 + k);
        const ref = quantizePtqtp(x, layout, scaleType);
        const enc = rt.device.createCommandEncoder({ label: 'test.quant_ptqtp' });
        const xb = uploadStorage(rt, x, 'test.x');
        const q = encodePtqtp(rt, enc, xb, n, layout, scaleType);
        const [scales, words, xhat] = await readBuffers(rt.device, enc, [q.scales, q.words, q.xhat]);
        void rt.pool.releaseAfterSubmit([xb, ...Object.values(q)]);
        const where = `${scaleType} ${s.rows}x${s.cols} ${s.kind}`;
        expectSame(`${where} scales`, new Uint32Array(scales, 0, 2 * layout.groupCount), bitsOf(ref.scales));
        const w = new Uint32Array(words);
        expectSame(`${where} plane 1`, w.subarray(0, ref.plane1.length), ref.plane1);
        expectSame(`${where} plane 2`, w.subarray(ref.plane1.length, 2 * ref.plane1.length), ref.plane2);
        expectSame(`${where} xhat`, new Uint32Array(xhat, 0, n), bitsOf(dequantizePtqtp(ref)));
        if (layout.groupSize > 1) expect(Math.max(...ref.iterations), `${where}: some group alternated`).toBeGreaterThan(1);
      }
    });
  }
});

// A test-only entry point appended to quant_nupes.wgsl: pow_f32 on (x, p) pairs.
const POW_PROBE = `${shaderSource('quant_nupes')}
@compute @workgroup_size(64) fn probe(@builtin(global_invocation_id) g: vec3u) {
  if (g.x >= p.n) { return; }
  dst[g.x] = pow_f32(src[2u * g.x], src[2u * g.x + 1u]);
}`;

describe('lib_pow: pow_f32 equals powF32 bit for bit', () => {
  it('random x over the whole f32 range (subnormals, results that underflow or overflow), exponents 0.25..4 and 1', async () => {
    const rand = createRng(5);
    const n = 1 << 14;
    const pairs = new Float32Array(2 * n);
    for (let i = 0; i < n; i++) {
      const k = i % 5;
      pairs[2 * i] = k === 0 ? 2 ** -149 * Math.floor(rand() * 2 ** 23) : k === 1 ? 2 ** Math.floor(rand() * 60 - 30) : 2 ** ((rand() * 2 - 1) * 127) * (1 + rand());
      pairs[2 * i + 1] = i % 7 === 0 ? 1 : i % 11 === 0 ? NUPES_GRID[i % 26] : i % 13 === 0 ? 1 / NUPES_GRID[i % 26] : 0.25 + 3.75 * rand();
    }
    const module = rt.device.createShaderModule({ label: 'test.pow_probe', code: POW_PROBE });
    const pipeline = rt.device.createComputePipeline({ label: 'test.pow_probe', layout: 'auto', compute: { module, entryPoint: 'probe' } });
    const params = new Uint32Array(12);
    params[0] = n;
    const uniform = rt.device.createBuffer({ size: 48, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST, label: 'test.pow_probe.params' });
    rt.device.queue.writeBuffer(uniform, 0, params);
    const src = uploadStorage(rt, pairs, 'test.pow_probe.src');
    const dst = rt.pool.acquire(n * 4, storageUsage(), 'test.pow_probe.dst');
    const enc = rt.device.createCommandEncoder({ label: 'test.pow_probe' });
    encodePass(rt, enc, pipeline, { 0: uniform, 1: src, 2: dst }, grid2d(Math.ceil(n / 64)));
    const got = new Float32Array((await readBuffers(rt.device, enc, [dst]))[0]);
    void rt.pool.releaseAfterSubmit([src, dst]);
    const want = Float32Array.from({ length: n }, (_, i) => powF32(pairs[2 * i], pairs[2 * i + 1]));
    expectSame('pow_f32', bitsOf(got), bitsOf(want));
    expect(want.some((v) => v > 0 && v < 2 ** -126) && want.some((v) => v === Infinity), 'subnormal and overflowing results are covered').toBe(true);
  });
});

describe('quant_nupes: companded INT and the exponent search equal quantizeNupes', () => {
  const cases: [string, Shape, number][] = [
    ['block 128, 4 bits', { rows: 16, cols: 256, kind: 'block', block: 128 }, 4],
    ['columns, 3 bits', { rows: 48, cols: 20, kind: 'column' }, 3],
    ['block 48 with tails, 5 bits', { rows: 9, cols: 100, kind: 'block', block: 48 }, 5],
  ];
  for (const [name, s, bits] of cases) {
    it(`${name}: every candidate's group sums, the chosen exponent, codes, scales and values`, async () => {
      const layout = groupLayout(s.rows, s.cols, s.kind, s.block);
      const n = s.rows * s.cols;
      const x = tensor(layout, n, 60 + bits);
      const enc = rt.device.createCommandEncoder({ label: 'test.quant_nupes.search' });
      const xb = uploadStorage(rt, x, 'test.x');
      const search = encodeNupesSearch(rt, enc, xb, n, layout, bits);
      const [sumsBytes] = await readBuffers(rt.device, enc, [search.sums]);
      void rt.pool.releaseAfterSubmit([search.sums, ...search.scratch]);
      const sums = new Uint32Array(sumsBytes);
      const per = 2 * layout.groupCount;
      NUPES_GRID.forEach((a, k) => {
        const inner = quantizeInt(compand(x, a), layout, { bits, symmetric: true });
        expectSame(`${name} a=${a} group sums`, sums.subarray(k * per, (k + 1) * per), groupErrorSums(x, expand(dequantizeInt(inner), a), layout));
      });
      const ref = quantizeNupes(x, layout, bits);
      expect(exponentFromSums(sums, x, layout)).toBe(ref.a);
      const enc2 = rt.device.createCommandEncoder({ label: 'test.quant_nupes.quant' });
      const q = encodeNupesQuant(rt, enc2, xb, n, layout, bits, ref.a);
      const [words, scales, xhat] = await readBuffers(rt.device, enc2, [q.inner.words, q.inner.scales, q.xhat]);
      void rt.pool.releaseAfterSubmit([xb, ...Object.values(q.inner), q.xhat, ...q.scratch]);
      expectSame(`${name} codes`, new Uint32Array(words), ref.inner.words);
      expectSame(`${name} scales`, new Uint32Array(scales, 0, layout.groupCount), bitsOf(ref.inner.scales));
      expectSame(`${name} xhat`, new Uint32Array(xhat, 0, n), bitsOf(dequantizeNupes(ref)));
    });
  }
});
