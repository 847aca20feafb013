// tests: the benchmark's own kernels against their CPU twins (copy bit for bit, read_sum's sentinel, the guard's reference matvec/matmul vs matmulPackedReference within the f32 bound); the suites' smoke run is tests/gpu/bench-smoke.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFloats, runOnce, storageBuffer } from '../../bench/context';
import { type MatmulBits, normalFloats, syntheticPacked } from '../../bench/data';
import type { BenchGpu } from '../../bench/gpu';
import { copyOp, emptyOp, readGrid, readOp, readSumReference, referenceMatmulOp } from '../../bench/kernels';
import { type AdapterFingerprint, fingerprintId } from '../../bench/stats';
import { destroyPacked, uploadPacked } from '../../src/gpu/kernels/matmulPacked';
import type { GpuRuntime } from '../../src/gpu/runtime';
import { F32_MIN_NORMAL } from '../../src/lib/f32';
import { absProducts, F32_UNIT_ROUNDOFF, gammaF32, matmulPackedReference } from '../../src/quant/packed/matmul';
import { packWeights } from '../../src/quant/packed/fromFormats';
import { dequantizePacked, packDense, type PackedWeights } from '../../src/quant/packed/weights';
import { createTestRuntime, destroyRuntime } from './harness';

let rt: GpuRuntime;
let g: BenchGpu;
beforeAll(async () => {
  rt = await createTestRuntime();
  // The harness's device in the BenchGpu shape runOnce/readFloats take (nothing here is timed).
  const fingerprint: AdapterFingerprint = {
    runtime: 'vitest (Dawn, OpenGL ES)', vendor: '', architecture: '', description: rt.ctx.adapterName, fallback: null,
    features: [...rt.ctx.features], subgroupMinSize: null, subgroupMaxSize: null, limits: {},
  };
  g = { rt, fingerprint, id: fingerprintId(fingerprint), timestamps: false };
});
afterAll(() => destroyRuntime(rt));

describe('bench_copy', () => {
  it('copies every element bit for bit, including a tail that does not fill a workgroup, and nothing past count', async () => {
    const bytes = (256 * 5 + 3) * 16;
    const data = normalFloats(bytes / 4, 3);
    data[7] = -0; data[8] = Infinity; data[9] = 1e-40; data[10] = -3.4e38;
    const beyond = 64; // bytes of dst after the copied range, filled with a marker the kernel must not touch
    const marker = new Uint32Array((bytes + beyond) / 4).fill(0xdeadbeef);
    const src = storageBuffer(g, data, 'test.src'), dst = storageBuffer(g, marker, 'test.dst');
    await runOnce(g, copyOp(rt, src, dst, bytes));
    const got = new Uint32Array((await readFloats(g, dst, marker.length)).slice().buffer);
    src.destroy(); dst.destroy();
    const want = new Uint32Array(data.buffer);
    const firstDiff = want.findIndex((bits, i) => got[i] !== bits);
    expect(firstDiff, `element ${firstDiff}: ${got[firstDiff]?.toString(16)} instead of ${want[firstDiff]?.toString(16)}`).toBe(-1);
    expect([...got.subarray(want.length)]).toEqual(new Array(beyond / 4).fill(0xdeadbeef));
  });

  it('read_sum writes thread 0\'s sum exactly when it equals the sentinel, and nothing when the sentinel is NaN', async () => {
    // 3076 vec4s: ceil(3076 / (256 threads · 4 reads)) = 4 workgroups, T = 1024 threads, so thread 0
    // reads vec4s 0, 1024, 2048 and 3072 (the last read exists only for threads 0..3).
    const count = 3 * 1024 + 4, bytes = count * 16, T = 1024;
    expect(readGrid(bytes)).toMatchObject({ threads: T, reads: 4 });
    const data = normalFloats(bytes / 4, 5);
    const byHand = new Float32Array(4);
    for (const e of [0, T, 2 * T, 3 * T]) for (let c = 0; c < 4; c++) byHand[c] = Math.fround(byHand[c] + data[4 * e + c]);
    const want = readSumReference(data, bytes);
    expect([...want]).toEqual([...byHand]);

    const src = storageBuffer(g, data, 'test.src');
    const sink = storageBuffer(g, new Float32Array([7, 7, 7, 7]), 'test.sink');
    await runOnce(g, readOp(rt, src, sink, bytes));
    expect([...(await readFloats(g, sink, 4))]).toEqual([7, 7, 7, 7]);
    // A sentinel no thread's sum equals: still nothing written.
    await runOnce(g, readOp(rt, src, sink, bytes, [want[0] + 1, want[1]]));
    expect([...(await readFloats(g, sink, 4))]).toEqual([7, 7, 7, 7]);
    await runOnce(g, readOp(rt, src, sink, bytes, [want[0], want[1]]));
    expect([...(await readFloats(g, sink, 4))]).toEqual([...want]);
    src.destroy(); sink.destroy();
  });

  it('the empty kernel writes nothing', async () => {
    const sink = storageBuffer(g, new Float32Array([1, 2, 3, 4]), 'test.sink');
    await runOnce(g, emptyOp(rt, sink, 3));
    expect([...(await readFloats(g, sink, 4))]).toEqual([1, 2, 3, 4]);
    sink.destroy();
  });
});

/**
 * The guard's reference kernels compute what matmulPackedReference computes, in another order:
 * matvec_ref sums per thread then by a 6-level tree (at most k + 6 roundings per product),
 * matmul_ref recursively (k). The bound of tests/gpu/matmul-packed.test.ts covers both:
 * (γ_k + γ_(k+6) + u)·Σ|x·ŵ| + k·2^-126 (u for a contracted dequantization product, the last
 * term for a GPU that flushes subnormal products).
 */
function tolerance(k: number, s: number): number {
  return (gammaF32(k) + gammaF32(k + 6) + F32_UNIT_ROUNDOFF) * s + k * F32_MIN_NORMAL;
}

/** Runs `entry` on p and x (m rows) and expects every output within the bound of the CPU reference. */
async function expectParity(entry: 'matvec_ref' | 'matmul_ref', p: PackedWeights, m: number, seed: number) {
  const { n, k } = p;
  const x = normalFloats(m * k, seed);
  const w = uploadPacked(rt, p, 'test.w');
  const xb = storageBuffer(g, x, 'test.x'), yb = storageBuffer(g, m * n * 4, 'test.y');
  await runOnce(g, referenceMatmulOp(rt, entry, xb, w, yb, m));
  const got = await readFloats(g, yb, m * n);
  destroyPacked(w); xb.destroy(); yb.destroy();
  const want = matmulPackedReference(x, m, p);
  const s = absProducts(x, m, dequantizePacked(p), n, k);
  const outside = [...got].findIndex((v, i) => !(Math.abs(v - want[i]) <= tolerance(k, s[i])));
  expect(outside, `y[${outside}] = ${got[outside]}, reference ${want[outside]}, bound ${tolerance(k, s[outside] ?? 0)}`).toBe(-1);
  // A kernel that dropped or doubled a product would be off by ~S/k, far outside the bound.
  expect(Math.max(...[...s].map((v) => tolerance(k, v) / (v / k)))).toBeLessThan(0.01);
}

const ENTRIES = ['matvec_ref', 'matmul_ref'] as const;

describe('bench_matmul_ref: the bench\'s synthetic weights', () => {
  // Odd n (33, 70: a partial 16-row tile), k of 1 to 5 chunks (matvec_ref's 64 threads take 0 to 3 columns each).
  const cases: [MatmulBits, number, number][] = [[2, 33, 96], [3, 70, 64], [4, 33, 160], [8, 70, 32], ['f32', 33, 96]];
  for (const [bits, n, k] of cases) {
    for (const m of [1, 3, 17]) {
      for (const entry of ENTRIES) {
        it(`${entry}: ${bits === 'f32' ? 'fp32' : `${bits}-bit affine`} weights ${n}×${k}, m = ${m}, within the f32 bound of the CPU reference`, async () => {
          await expectParity(entry, syntheticPacked(n, k, bits, 31 * n + k), m, 7 * m + k);
        });
      }
    }
  }
});

describe('bench_matmul_ref: any affine or f32 weight (the Hadamard suite feeds it dense ones)', () => {
  // k = 200: 7 chunks, the last 8 columns long, and not a multiple of matmul_ref's 16-column step;
  // asymmetric int3 in blocks of 64 has per-group zero points and a tail group of 8.
  const n = 37, k = 200;
  const w = normalFloats(n * k, 12, 0.05);
  const weights: [string, () => PackedWeights][] = [
    ['int3 asym, block 64', () => packWeights(w, n, k, { kind: 'int', params: { bits: 3, mode: 'asym' } }, 'block', 64)],
    ['int5 sym, row groups', () => packWeights(w, n, k, { kind: 'int', params: { bits: 5, mode: 'sym' } }, 'row', 0)],
    ['f32', () => packDense(w, n, k)],
  ];
  for (const [what, make] of weights) {
    for (const m of [1, 17]) {
      for (const entry of ENTRIES) {
        it(`${entry}: ${what}, ${n}×${k}, m = ${m}`, async () => {
          const p = make();
          expect(['affine', 'f32']).toContain(p.mode);
          await expectParity(entry, p, m, 40 + m);
        });
      }
    }
  }

  it('refuses table-coded weights, naming the mode', () => {
    const p = packWeights(w, n, k, { kind: 'format', id: 'nf4' }, 'block', 64);
    const gw = uploadPacked(rt, p, 'test.nf4');
    const buffer = storageBuffer(g, 16, 'test.unused');
    try {
      expect(() => referenceMatmulOp(rt, 'matvec_ref', buffer, gw, buffer, 1)).toThrow(/affine or f32 weights, not table/);
    } finally {
      destroyPacked(gw); buffer.destroy();
    }
  });
});
