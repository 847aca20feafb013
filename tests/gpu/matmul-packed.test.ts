// tests: matmul_packed.wgsl (matvec, matvec_batch and tiled matmul) against matmulPackedReference for every packed format family, odd shapes and the fp32 path.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { destroyPacked, encodeMatmulPacked, matmulEntry, type MatmulPath, matmulPackedGpu, uploadPacked } from '../../src/gpu/kernels/matmulPacked';
import { withErrorScopes } from '../../src/gpu/device';
import { readBuffers } from '../../src/gpu/readback';
import { type GpuRuntime, storageUsage, uploadStorage } from '../../src/gpu/runtime';
import { F32_MIN_NORMAL } from '../../src/lib/f32';
import { createRng, studentT } from '../../src/lib/rng';
import type { FormatChoice } from '../../src/quant/apply';
import type { GroupKind } from '../../src/quant/groups';
import { packWeights } from '../../src/quant/packed/fromFormats';
import { absProducts, F32_UNIT_ROUNDOFF, gammaF32, matmulPackedReference } from '../../src/quant/packed/matmul';
import { dequantizePacked, packDense, type PackedWeights } from '../../src/quant/packed/weights';
import { createTestRuntime, destroyRuntime } from './harness';

let rt: GpuRuntime;
beforeAll(async () => { rt = await createTestRuntime(); });
afterAll(() => destroyRuntime(rt));

function randomMatrix(rows: number, cols: number, seed: number, scale: number): Float32Array {
  const rand = createRng(seed);
  return Float32Array.from({ length: rows * cols }, () => Math.fround(studentT(rand, 3) * scale));
}

/**
 * Tolerance. The kernel's ŵ are dequantizePacked's values (same f32 operations); only the order of
 * the sums differs. With S = Σ_c |x[i, c]|·|ŵ[r, c]| and γ_d = d·u/(1 − d·u), u = 2^-24 (Higham §3.1):
 * the reference (recursive summation) is within γ_k·S of the exact product; the tiled kernel sums
 * recursively too (γ_k). matvec sums per lane in column order (at most min(k, 32·ceil(chunks/32))
 * terms), matvec_batch likewise over its 8-column segments (at most min(k, 8·ceil(k/256)) terms), then
 * both add the 32 lane sums by a 5-level tree: one rounding for the product, at most k for the lane's
 * additions and 5 for the tree, so k + 6 per product: γ_(k+6). One more u·S covers a compiler
 * contracting the dequantization product into the sum (allowed outside the `opaque` guard). A GPU
 * that flushes subnormal products loses less than 2^-126 per product: k·2^-126. So
 * |y_gpu − y_ref| ≤ (γ_k + γ_(k+6) + u)·S + k·2^-126, about 2.05·k·u·S here: at k = 200, 2.4e-5·S,
 * while one dropped or doubled product is ~S/k = 5e-3·S.
 */
function tolerance(k: number, s: number): number {
  return (gammaF32(k) + gammaF32(k + 6) + F32_UNIT_ROUNDOFF) * s + k * F32_MIN_NORMAL;
}

const M_VALUES = [1, 3, 8, 33];
/**
 * Runs to make per weight: every m through the tiled kernel, m = 1 and 3 through matvec, small batches
 * through matvec_batch (9 and 11 add a partial second batch; 1 is a batch of one), and `auto` at m = 1 and
 * around its matvec_batch threshold (7, 8, 9).
 */
const RUNS: [number, MatmulPath][] = [
  ...M_VALUES.map((m): [number, MatmulPath] => [m, 'matmul']), [1, 'matvec'], [3, 'matvec'],
  ...[1, 2, 3, 5, 8, 9, 11].map((m): [number, MatmulPath] => [m, 'matvec_batch']),
  ...[1, 7, 8, 9].map((m): [number, MatmulPath] => [m, 'auto']),
];

/** Every run of one weight in one submit, compared with the reference within the tolerance. */
async function expectParity(p: PackedWeights, what: string) {
  const inputs = RUNS.map(([m], r) => randomMatrix(m, p.k, 1000 * r + p.k, 1));
  const bytes = await withErrorScopes(rt.device, what, async () => {
    const w = uploadPacked(rt, p, 'test.w');
    const encoder = rt.device.createCommandEncoder({ label: 'test.matmul_packed' });
    const scratch: GPUBuffer[] = [];
    const outputs = RUNS.map(([m, path], r) => {
      const xb = uploadStorage(rt, inputs[r], 'test.x');
      const yb = rt.pool.acquire(m * p.n * 4, storageUsage(), 'test.y');
      scratch.push(xb, yb, encodeMatmulPacked(rt, encoder, xb, w, yb, m, path));
      return yb;
    });
    const out = await readBuffers(rt.device, encoder, outputs);
    await rt.pool.releaseAfterSubmit(scratch);
    destroyPacked(w);
    return out;
  });
  const wHat = dequantizePacked(p);
  RUNS.forEach(([m, path], r) => {
    const got = new Float32Array(bytes[r], 0, m * p.n);
    const want = matmulPackedReference(inputs[r], m, p);
    const s = absProducts(inputs[r], m, wHat, p.n, p.k);
    let worst = 0, at = -1;
    for (let i = 0; i < m * p.n; i++) {
      const excess = Math.abs(got[i] - want[i]) - tolerance(p.k, s[i]);
      if (!(excess <= worst)) { worst = excess; at = i; }
    }
    expect(at, `${what}, m = ${m}, ${path}: y[${at}] = ${got[at]}, reference ${want[at]}, tolerance ${tolerance(p.k, s[at] ?? 0)}`).toBe(-1);
  });
}

// N = 37 and K = 200: 7 chunks per row, the last one 8 columns long; group 64 leaves a tail group of 8.
const N = 37, K = 200;
const W = randomMatrix(N, K, 7, 0.05);
const pack = (choice: FormatChoice, kind: GroupKind = 'block', block = 64, w = W, k = K) => packWeights(w, N, k, choice, kind, block);

describe('matmul_packed: integer formats', () => {
  const cases: [number, 'sym' | 'sym-full' | 'asym' | 'asym-float'][] = [
    [1, 'asym'], [2, 'sym'], [3, 'asym'], [4, 'sym-full'], [5, 'asym-float'], [6, 'sym'], [7, 'asym'], [8, 'asym-float'],
  ];
  it.each(cases)('int%i %s, block 64 with a tail group', async (bits, mode) => {
    await expectParity(pack({ kind: 'int', params: { bits, mode, scale: 'fp16' } }), `int${bits} ${mode}`);
  });

  it.each<[GroupKind, number]>([['row', 0], ['column', 0], ['tensor', 0], ['block', 20]])('int4 asym, %s groups %i', async (kind, block) => {
    await expectParity(pack({ kind: 'int', params: { bits: 4, mode: 'asym' } }, kind, block), `int4 ${kind} ${block}`);
  });
});

describe('matmul_packed: table formats', () => {
  const ids = [
    'fp8-e4m3', 'fp8-e5m2', 'fp6-e3m2', 'fp6-e2m3', 'fp4-e2m1', 'mxfp8_e4m3', 'mxfp6_e2m3', 'mxfp4', 'mxint8', 'nvfp4',
    'nf4', 'nf4-dq', 'fp4-bnb', 'nf3', 'nf2', 'iq4_nl', 'binary', 'ternary-bitnet', 'log2-4', 'fp4-search', 'lloyd-max-4',
  ];
  it.each(ids)('%s', async (id) => {
    await expectParity(pack({ kind: 'format', id }), id);
  });

  it('a typed 5-level codebook (3-bit codes)', async () => {
    await expectParity(pack({ kind: 'codebook', levels: [-1, -0.3, 0, 0.3, 1], scaling: 'absmax' }, 'block', 32), 'typed codebook');
  });
});

describe('matmul_packed: ggml formats', () => {
  const legacy = ['q8_0', 'q4_0', 'q4_1', 'q5_0', 'q5_1'];
  const W224 = randomMatrix(N, 224, 8, 0.05), W256 = randomMatrix(N, 256, 9, 0.05);
  it.each(legacy)('%s (k = 224: 7 blocks)', async (id) => {
    await expectParity(pack({ kind: 'format', id }, 'block', 32, W224, 224), id);
  });
  it.each(['q4_k', 'q6_k'])('%s (k = 256: one super-block)', async (id) => {
    await expectParity(pack({ kind: 'format', id }, 'block', 32, W256, 256), id);
  });
});

describe('matmul_packed: n = 70, k = 1100 (every mode)', () => {
  // 8 full rows of Ŵ per workgroup plus a partial one of 6; 35 chunks, the last 12 columns long:
  // k is a multiple of neither 32 nor 8 (matvec_batch's last segment holds 4 columns) and spans two
  // 1024-column matvec steps; 138 segments leave lanes with 4 or 5 each.
  const n = 70, k = 1100;
  const w = randomMatrix(n, k, 11, 0.05);
  const modes: [string, () => PackedWeights][] = [
    ['affine (int3 asym, block 64)', () => packWeights(w, n, k, { kind: 'int', params: { bits: 3, mode: 'asym' } }, 'block', 64)],
    ['table (nf4, block 64)', () => packWeights(w, n, k, { kind: 'format', id: 'nf4' }, 'block', 64)],
    ['scale-offset (q4_1, k = 1088: whole ggml blocks)', () => packWeights(randomMatrix(n, 1088, 12, 0.05), n, 1088, { kind: 'format', id: 'q4_1' }, 'block', 32)],
    ['f32', () => packDense(w, n, k)],
  ];
  it.each(modes)('%s', async (what, make) => {
    const p = make();
    expect(p.mode).toBe(what.split(' ')[0]);
    await expectParity(p, what);
  });
});

describe('matmul_packed: the fp32 path', () => {
  it('plain f32 weights, k = 200', async () => {
    await expectParity(packDense(W, N, K), 'f32');
  });

  it('matmulPackedGpu reads back the same product, and a long row spans several matvec steps', async () => {
    const k = 1100; // 35 chunks: two 1024-column steps of matvec, 3 lanes in the second
    const w = randomMatrix(5, k, 3, 0.05);
    const p = packWeights(w, 5, k, { kind: 'int', params: { bits: 4, mode: 'asym' } }, 'block', 128);
    const x = randomMatrix(1, k, 4, 1);
    const gw = uploadPacked(rt, p, 'test.long');
    const got = await matmulPackedGpu(rt, x, 1, gw);
    destroyPacked(gw);
    const want = matmulPackedReference(x, 1, p);
    const s = absProducts(x, 1, dequantizePacked(p), 5, k);
    for (let r = 0; r < 5; r++) expect(Math.abs(got[r] - want[r])).toBeLessThanOrEqual(tolerance(k, s[r]));
  });

  it('auto runs matvec at m = 1, matvec_batch for 2 ≤ m ≤ 8, the tiled matmul beyond; a named path runs as named', () => {
    expect([1, 2, 7, 8, 9, 64].map((m) => matmulEntry(m))).toEqual(['matvec', 'matvec_batch', 'matvec_batch', 'matvec_batch', 'matmul', 'matmul']);
    expect(matmulEntry(1, 'matvec_batch')).toBe('matvec_batch');
    expect(matmulEntry(20, 'matvec')).toBe('matvec');
  });

  it('refuses buffers too small for the shape, saying which', () => {
    const gw = uploadPacked(rt, packDense(W, N, K), 'test.small');
    const encoder = rt.device.createCommandEncoder();
    const small = rt.device.createBuffer({ size: 16, usage: storageUsage(), label: 'test.small_x' });
    expect(() => encodeMatmulPacked(rt, encoder, small, gw, small, 1)).toThrow(/x holds 16 bytes/);
    small.destroy();
    destroyPacked(gw);
  });
});
