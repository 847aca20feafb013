// tests: gather_columns.wgsl against gatherColumns in src/quant/transforms/reorder.ts, bit for bit (a copy).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatherColumnsGpu } from '../../src/gpu/kernels/gather';
import type { GpuRuntime } from '../../src/gpu/runtime';
import { createRng, normal } from '../../src/lib/rng';
import { columnOrder, gatherColumns, inversePermutation } from '../../src/quant/transforms/reorder';
import { createTestRuntime, destroyRuntime } from './harness';

let rt: GpuRuntime;
beforeAll(async () => { rt = await createTestRuntime(); });
afterAll(() => destroyRuntime(rt));

const bits = (x: Float32Array) => Array.from(new Uint32Array(x.buffer, x.byteOffset, x.length));

function matrix(rows: number, cols: number, seed: number): Float32Array {
  const rand = createRng(seed);
  const x = Float32Array.from({ length: rows * cols }, () => normal(rand));
  x[0] = -0; // the sign of zero and a subnormal survive: the kernel moves bits, not floats
  x[1] = 1e-40;
  return x;
}

describe('gather_columns.wgsl equals gatherColumns bit for bit', () => {
  // [rows, cols]: a single row, an odd width, a GPT-2-wide matrix
  it.each([[1, 7], [33, 100], [300, 768]])('%i × %i, by-absmax order, and back', async (rows, cols) => {
    const x = matrix(rows, cols, rows * 31 + cols);
    const perm = columnOrder(x, rows, cols, 'absmax');
    const want = gatherColumns(x, rows, cols, perm);
    const got = await gatherColumnsGpu(rt, x, rows, cols, perm);
    expect(bits(got)).toEqual(bits(want));
    const back = await gatherColumnsGpu(rt, got, rows, cols, inversePermutation(perm));
    expect(bits(back)).toEqual(bits(x));
  });

  it('refuses a permutation of the wrong length', async () => {
    await expect(gatherColumnsGpu(rt, new Float32Array(6), 2, 3, Uint32Array.of(0, 1))).rejects.toThrow(/2 entries but the matrix has 3 columns/);
  });
});
