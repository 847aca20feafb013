// tests: hadamard.wgsl (fused and multi-pass) against rotateRows in src/quant/hadamard/rotation.ts, bit for bit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HADAMARD_TILE, hadamardSpan, rotateRowsGpu } from '../../src/gpu/kernels/hadamard';
import type { GpuRuntime } from '../../src/gpu/runtime';
import { createRng, normal } from '../../src/lib/rng';
import { hadamardRotation, rotateRows, type RotationDirection } from '../../src/quant/hadamard/rotation';
import { createTestRuntime, destroyRuntime } from './harness';

let rt: GpuRuntime;
beforeAll(async () => { rt = await createTestRuntime(); });
afterAll(() => destroyRuntime(rt));

/** Gaussian rows at magnitudes 1, 1e-3 and 1e3 in turn (no sum comes near the subnormal range). */
function rowsOf(rows: number, size: number, seed: number): Float32Array {
  const rand = createRng(seed);
  const x = new Float32Array(rows * size);
  for (let r = 0; r < rows; r++) {
    const mag = [1, 1e-3, 1e3][r % 3];
    for (let j = 0; j < size; j++) x[r * size + j] = normal(rand) * mag;
  }
  return x;
}

/**
 * The bound is 0: the shader performs the CPU reference's f32 operations in the same order, each
 * correctly rounded (WGSL +, -, *), so every output must have the same bits.
 */
function expectSameBits(got: Float32Array, want: Float32Array, where: string): void {
  const g = new Uint32Array(got.buffer, got.byteOffset, got.length);
  const w = new Uint32Array(want.buffer, want.byteOffset, want.length);
  expect(g.length, where).toBe(w.length);
  let differ = 0, first = -1;
  for (let i = 0; i < g.length; i++) if (g[i] !== w[i]) { differ++; if (first < 0) first = i; }
  expect(differ, `${where}: ${differ} elements differ, first at ${first} (GPU ${got[first]}, CPU ${want[first]})`).toBe(0);
}

// [label, size, rows, options]: fused blocks (<= 4096) and multi-pass ones (tiles, stages, dense).
const CASES: [string, number, number, { block?: number; seed?: number }][] = [
  ['64 (fused, Sylvester)', 64, 5, {}],
  ['64 with signs', 64, 3, { seed: 1 }],
  ['768 = 12 × 64 (fused, dense K step)', 768, 4, { seed: 2 }],
  ['1024', 1024, 3, { seed: 3 }],
  ['3072 = 12 × 256', 3072, 2, { seed: 4 }],
  ['4096 (fused, one full tile)', 4096, 2, { seed: 5 }],
  ['2816 = 44 × 64', 2816, 2, { seed: 6 }],
  ['8192 (tiles + one stage pass)', 8192, 2, { seed: 7 }],
  ['8192 without signs (multi-pass inverse = forward)', 8192, 1, {}],
  ['8960 = 140 × 64 (tiles + dense)', 8960, 1, { seed: 8 }],
  ['11008 = 344 × 32 (tiles + dense, GF(7^3) Paley)', 11008, 1, { seed: 9 }],
  ['98304 = 12 × 8192 (tiles + stage + dense)', 98304, 1, { seed: 10 }],
  ['3072 in blocks of 768 (block-diagonal, fused)', 3072, 3, { block: 768, seed: 11 }],
  ['4096 in blocks of 64, no signs', 4096, 2, { block: 64 }],
  ['16384 in blocks of 8192 (block-diagonal, multi-pass)', 16384, 1, { block: 8192, seed: 12 }],
  // Small blocks share a fused workgroup (a full tile: 64 blocks of 64, 16 of 256, 42 of 96, 51 of
  // 80 ...): one row, and row counts that leave the last workgroup partly filled.
  ['64, one row (a workgroup of one block out of 64)', 64, 1, { seed: 13 }],
  ['64 × 3 rows', 64, 3, { seed: 19 }],
  ['64 × 65 rows (64 blocks per workgroup, 1 in the last)', 64, 65, { seed: 14 }],
  ['64 × 130 rows (two full workgroups and 2 blocks)', 64, 130, { seed: 20 }],
  ['256 × 17 rows (16 blocks per workgroup, 1 in the last)', 256, 17, { seed: 15 }],
  ['96 = 12 × 8 × 43 rows (42 blocks per workgroup, dense K step, one butterfly round)', 96, 43, { seed: 16 }],
  ['80 = 20 × 4 × 53 rows (51 blocks per workgroup, 2 butterfly stages)', 80, 53, { seed: 17 }],
  ['1024 in blocks of 32 × 3 rows (128 blocks per workgroup, block-diagonal)', 1024, 3, { block: 32, seed: 18 }],
  // P < 8: groups of 8 straddle blocks and the spans are not multiples of 8 (0, 1 or 2 stages).
  ['12 = 12 × 1 × 5 rows (dense step only)', 12, 5, { seed: 21 }],
  ['24 = 12 × 2 × 171 rows (170 blocks per workgroup: a last span of 24)', 24, 171, { seed: 22 }],
  ['20 = 20 × 1 × 205 rows (204 per workgroup)', 20, 205, { seed: 23 }],
  ['48 = 12 × 4 × 7 rows', 48, 7, { seed: 24 }],
  // Every first-round length (log2 P mod 3 = 1, 2, 0) with later rounds.
  ['16 × 257 rows (1 + 3 stages)', 16, 257, { seed: 25 }],
  ['32 × 129 rows (2 + 3 stages)', 32, 129, { seed: 26 }],
  ['8 × 513 rows (one round of 3 stages)', 8, 513, {}],
  ['512 × 9 rows (3 + 3 + 3 stages)', 512, 9, { seed: 27 }],
  ['2048 × 3 rows (2 + 3 + 3 + 3 stages)', 2048, 3, { seed: 28 }],
  // Multi-pass spans of several P-chunks (P = 64, 32 < TILE_MAX) with a partly filled last span.
  ['8960 = 140 × 64 × 3 rows (tiles of 64 chunks + dense)', 8960, 3, { seed: 29 }],
];

describe('hadamard.wgsl matches rotateRows bit for bit', () => {
  it('covers both paths', () => {
    expect(CASES.some(([, size, , o]) => (o.block ?? size) <= HADAMARD_TILE)).toBe(true);
    expect(CASES.some(([, size, , o]) => (o.block ?? size) > HADAMARD_TILE)).toBe(true);
  });

  it('packs small blocks into full tiles (floor(TILE / B) blocks per workgroup, at least one)', () => {
    expect(hadamardSpan(64)).toBe(4096);
    expect(hadamardSpan(256)).toBe(4096);
    expect(hadamardSpan(96)).toBe(42 * 96);
    expect(hadamardSpan(80)).toBe(51 * 80);
    expect(hadamardSpan(24)).toBe(170 * 24);
    expect(hadamardSpan(768)).toBe(5 * 768);
    expect(hadamardSpan(4096)).toBe(4096);
  });

  it.each(CASES)('%s', async (label, size, rows, options) => {
    const rot = hadamardRotation(size, options);
    const x = rowsOf(rows, size, size + rows);
    for (const direction of ['forward', 'inverse'] as RotationDirection[]) {
      const gpu = await rotateRowsGpu(rt, x, rows, rot, direction);
      expectSameBits(gpu, rotateRows(x, rows, rot, direction), `${label}, ${direction}`);
    }
  });

  it('the inverse kernel undoes the forward kernel on the same rows (to the CPU round trip bit for bit)', async () => {
    const rot = hadamardRotation(2816, { seed: 13 });
    const x = rowsOf(3, 2816, 99);
    const y = await rotateRowsGpu(rt, x, 3, rot, 'forward');
    const back = await rotateRowsGpu(rt, y, 3, rot, 'inverse');
    expectSameBits(back, rotateRows(rotateRows(x, 3, rot), 3, rot, 'inverse'), 'round trip');
    // And it is an inverse: per row within the bound derived in tests/unit/quant-hadamard.test.ts.
    const k = 1.02 * (Math.log2(rot.pow2) + rot.order + 1) * 2 ** -24 * Math.sqrt(rot.block);
    for (let r = 0; r < 3; r++) {
      let err = 0, norm = 0;
      for (let j = r * 2816; j < (r + 1) * 2816; j++) { err += (back[j] - x[j]) ** 2; norm += x[j] ** 2; }
      expect(Math.sqrt(err), `row ${r}`).toBeLessThanOrEqual(k * (2 + k) * Math.sqrt(norm));
    }
  });

  it('refuses a buffer that is too small for the rows', async () => {
    const rot = hadamardRotation(64);
    await expect(rotateRowsGpu(rt, new Float32Array(100), 2, rot)).rejects.toThrow(/expected 2 rows of 64 values/);
  });
});
