// tests: kmeans_assign.wgsl against assignNearest (src/quant/transforms/kmeans.ts): identical indices, hence identical k-means and VQ results.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyVqGpu, assignNearestGpu, kmeansGpu } from '../../src/gpu/kernels/kmeans';
import type { GpuRuntime } from '../../src/gpu/runtime';
import { createRng, normal, studentT } from '../../src/lib/rng';
import { assignNearest, kmeans } from '../../src/quant/transforms/kmeans';
import { applyVq } from '../../src/quant/transforms/vq';
import { createTestRuntime, destroyRuntime } from './harness';

let rt: GpuRuntime;
beforeAll(async () => { rt = await createTestRuntime(); });
afterAll(() => destroyRuntime(rt));

const bits = (x: Float32Array) => Array.from(new Uint32Array(x.buffer, x.byteOffset, x.length));
const gaussian = (n: number, seed: number, scale = 1) => {
  const rand = createRng(seed);
  return Float32Array.from({ length: n }, () => normal(rand) * scale);
};

// The bound is 0: the shader does assignNearest's f32 operations in the same order, each correctly
// rounded, with the product kept out of fused multiply-adds, so even near-ties resolve identically.
describe('kmeans_assign.wgsl equals assignNearest exactly', () => {
  // [d, vectors, codewords]: every supported d, codebooks smaller than, equal to and larger than one 256-codeword tile
  it.each([[1, 1000, 3], [2, 5000, 256], [4, 3000, 300], [8, 777, 1000], [3, 513, 17]])('d = %i, %i vectors, %i codewords', async (d, n, k) => {
    const vectors = gaussian(n * d, d * 7 + n);
    const codebook = gaussian(k * d, k + 1);
    const want = assignNearest({ vectors, d, codebook });
    const got = await assignNearestGpu(rt, { vectors, d, codebook });
    expect(Array.from(got)).toEqual(Array.from(want));
  });

  it('exact ties go to the lower index, as on the CPU', async () => {
    const codebook = Float32Array.of(-1, 1, 1, 3); // 0 is as far from -1 as from 1; 2 as far from 1 as from 3
    const vectors = Float32Array.of(0, 2, 1, -5, 7);
    const got = await assignNearestGpu(rt, { vectors, d: 1, codebook });
    expect(Array.from(got)).toEqual([0, 1, 1, 0, 3]);
    expect(Array.from(assignNearest({ vectors, d: 1, codebook }))).toEqual([0, 1, 1, 0, 3]);
  });

  it('k-means and VQ driven by the GPU give the CPU results bit for bit', async () => {
    const rand = createRng(5);
    const data = Float32Array.from({ length: 4000 }, () => studentT(rand, 3));
    const cpu = kmeans(data, 2, { k: 64, iterations: 6, seed: 9 });
    const gpu = await kmeansGpu(rt, data, 2, { k: 64, iterations: 6, seed: 9 });
    expect(bits(gpu.codebook)).toEqual(bits(cpu.codebook));
    expect(Array.from(gpu.assignments)).toEqual(Array.from(cpu.assignments));
    expect(gpu.objective).toEqual(cpu.objective);

    const w = gaussian(64 * 128, 11, 0.02);
    const params = { dim: 4, bits: 6, iterations: 5, seed: 3, rowsPerCodebook: 32 };
    const vqCpu = applyVq(w, 64, 128, params);
    const vqGpu = await applyVqGpu(rt, w, 64, 128, params);
    expect(bits(vqGpu.xhat)).toEqual(bits(vqCpu.xhat));
    expect(vqGpu.bitsPerWeight).toBe(vqCpu.bitsPerWeight);
  });
});
