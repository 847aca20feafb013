// tests: matmul_f32.wgsl against matmulF32 (bit for bit) and the GPU-driven randomized SVD against the CPU one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matmulGpu, randomizedSvdGpu } from '../../src/gpu/kernels/matmul';
import type { GpuRuntime } from '../../src/gpu/runtime';
import { createRng, normal } from '../../src/lib/rng';
import { matmulF32 } from '../../src/quant/transforms/linalg';
import { randomizedSvd } from '../../src/quant/transforms/svd';
import { createTestRuntime, destroyRuntime } from './harness';

let rt: GpuRuntime;
beforeAll(async () => { rt = await createTestRuntime(); });
afterAll(() => destroyRuntime(rt));

const bits = (x: Float32Array) => Array.from(new Uint32Array(x.buffer, x.byteOffset, x.length));
const gaussian = (n: number, seed: number) => {
  const rand = createRng(seed);
  return Float32Array.from({ length: n }, () => normal(rand));
};

// The bound is 0: each entry is the same sequence of correctly rounded f32 operations (products kept
// out of fused multiply-adds); Gaussian inputs keep every partial sum far from the subnormal range.
describe('matmul_f32.wgsl equals matmulF32 bit for bit', () => {
  // [m, k, n]: one element, sizes that are not multiples of the 16-wide tile, a long inner dimension
  it.each([[1, 1, 1], [17, 33, 5], [64, 48, 40], [7, 1000, 9]])('%i × %i by %i × n, plain and transposed', async (m, k, n) => {
    const b = gaussian(k * n, m + k + n);
    const a = gaussian(m * k, m * k);
    expect(bits(await matmulGpu(rt, a, b, m, k, n))).toEqual(bits(matmulF32(a, b, m, k, n)));
    expect(bits(await matmulGpu(rt, a, b, m, k, n, true))).toEqual(bits(matmulF32(a, b, m, k, n, true)));
  });
});

describe('randomized SVD with GPU products', () => {
  it('equals the CPU run with f32 products exactly, and the f64 run to f32 accuracy', async () => {
    const rows = 96, cols = 160;
    const a = gaussian(rows * cols, 3);
    for (let r = 0; r < rows; r++) a[r * cols + 7] *= 20; // one dominant direction
    const params = { rank: 6, oversample: 6, powerIterations: 2, seed: 4 };
    const gpu = await randomizedSvdGpu(rt, a, rows, cols, params);
    const f32 = randomizedSvd(a, rows, cols, params, 'f32');
    expect(Array.from(gpu.s)).toEqual(Array.from(f32.s));
    expect(Array.from(gpu.u)).toEqual(Array.from(f32.u));
    expect(Array.from(gpu.v)).toEqual(Array.from(f32.v));
    // f32 products carry relative errors ~ sqrt(k)·2^-24 per entry; the singular values they give
    // agree with the f64 run to 1e-5 relative (the gap between s_1 and the rest keeps them stable).
    const f64 = randomizedSvd(a, rows, cols, params, 'f64');
    gpu.s.forEach((s, i) => expect(Math.abs(s - f64.s[i]) / f64.s[0]).toBeLessThan(1e-5));
  });
});
