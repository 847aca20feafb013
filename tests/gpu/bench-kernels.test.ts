// tests: the benchmark's own kernels against their CPU twins (copy, read_sum, the guard's reference matvec/matmul vs matmulPackedReference) and a smoke run of the GPU suites on tiny sizes (every record checked, no timing thresholds).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFloats, runOnce, storageBuffer } from '../../bench/context';
import { type MatmulBits, normalFloats, syntheticPacked } from '../../bench/data';
import type { BenchGpu } from '../../bench/gpu';
import { runGpuSuites } from '../../bench/gpuSuites';
import { copyOp, readOp, readSumReference, referenceMatmulOp } from '../../bench/kernels';
import type { BenchOptions } from '../../bench/options';
import { type AdapterFingerprint, fingerprintId } from '../../bench/stats';
import { destroyPacked, uploadPacked } from '../../src/gpu/kernels/matmulPacked';
import type { GpuRuntime } from '../../src/gpu/runtime';
import { F32_MIN_NORMAL } from '../../src/lib/f32';
import { absProducts, F32_UNIT_ROUNDOFF, gammaF32, matmulPackedReference } from '../../src/quant/packed/matmul';
import { dequantizePacked } from '../../src/quant/packed/weights';
import { createTestRuntime, destroyRuntime } from './harness';

let rt: GpuRuntime;
let g: BenchGpu;
beforeAll(async () => {
  rt = await createTestRuntime();
  // The harness's device (no timestamp queries: the timer falls back to wall-clock, as on Dawn's GL backend).
  const fingerprint: AdapterFingerprint = {
    runtime: 'vitest (Dawn, OpenGL ES)', vendor: '', architecture: '', description: rt.ctx.adapterName, fallback: null,
    features: [...rt.ctx.features], subgroupMinSize: null, subgroupMaxSize: null, limits: {},
  };
  g = { rt, fingerprint, id: fingerprintId(fingerprint), timestamps: false };
});
afterAll(() => destroyRuntime(rt));

describe('bench_copy', () => {
  it('copies every element bit for bit, including a tail that does not fill a workgroup', async () => {
    const bytes = (256 * 5 + 3) * 16;
    const data = normalFloats(bytes / 4, 3);
    data[7] = -0; data[8] = Infinity; data[9] = 1e-40;
    const src = storageBuffer(g, data, 'test.src'), dst = storageBuffer(g, bytes, 'test.dst');
    await runOnce(g, copyOp(rt, src, dst, bytes));
    const got = await readFloats(g, dst, bytes / 4);
    expect(Object.is(got[7], -0)).toBe(true);
    expect([...got]).toEqual([...data]);
    src.destroy(); dst.destroy();
  });

  it('read_sum writes thread 0\'s sum exactly when it equals the sentinel, and nothing when the sentinel is NaN', async () => {
    const bytes = 3 * 1024 * 16 + 64; // 4 reads per thread, the last one partial
    const data = normalFloats(bytes / 4, 5);
    const want = readSumReference(data, bytes);
    const src = storageBuffer(g, data, 'test.src');
    const sink = storageBuffer(g, new Float32Array([7, 7, 7, 7]), 'test.sink');
    await runOnce(g, readOp(rt, src, sink, bytes));
    expect([...(await readFloats(g, sink, 4))]).toEqual([7, 7, 7, 7]);
    await runOnce(g, readOp(rt, src, sink, bytes, [want[0], want[1]]));
    expect([...(await readFloats(g, sink, 4))]).toEqual([...want]);
    src.destroy(); sink.destroy();
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

describe('bench_matmul_ref', () => {
  const cases: [MatmulBits, number, number][] = [[2, 33, 96], [3, 70, 64], [4, 33, 160], [8, 70, 32], ['f32', 33, 96]];
  for (const [bits, n, k] of cases) {
    for (const m of [1, 3, 17]) {
      const entry = m === 1 ? 'matvec_ref' : 'matmul_ref';
      it(`${entry}: ${bits === 'f32' ? 'fp32' : `${bits}-bit affine`} weights ${n}×${k}, m = ${m}, within the f32 bound of the CPU reference`, async () => {
        const p = syntheticPacked(n, k, bits, 31 * n + k);
        const x = normalFloats(m * k, 7 * m + k);
        const w = uploadPacked(rt, p, 'test.w');
        const xb = storageBuffer(g, x, 'test.x'), yb = storageBuffer(g, m * n * 4, 'test.y');
        await runOnce(g, referenceMatmulOp(rt, entry, xb, w, yb, m));
        const got = await readFloats(g, yb, m * n);
        destroyPacked(w); xb.destroy(); yb.destroy();
        const want = matmulPackedReference(x, m, p);
        const s = absProducts(x, m, dequantizePacked(p), n, k);
        const outside = [...got].findIndex((v, i) => !(Math.abs(v - want[i]) <= tolerance(k, s[i])));
        expect(outside, `y[${outside}] = ${got[outside]}, reference ${want[outside]}`).toBe(-1);
        // A kernel that dropped a product would be off by ~S/k, far outside the bound.
        expect(Math.max(...[...s].map((v) => tolerance(k, v) / (v / k)))).toBeLessThan(0.01);
      });
    }
  }
});

describe('GPU suites on tiny sizes', () => {
  it('produce every record, each on this adapter, each check passing, each timing finite', async () => {
    const options: BenchOptions = {
      mode: 'quick',
      timer: { warmups: 0, repeats: 1, targetMs: 1, maxOps: 2 },
      copyBytes: 2 ** 20,
      matmul: [{ k: 64, n: 48, m: 1, bits: 4 }, { k: 64, n: 48, m: 3, bits: 'f32' }],
      peerTargetMs: 1,
      hadamard: { sizes: [64, 256], elements: 4096, denseMacs: 2 ** 16 },
      quantElements: 8192,
      forward: { tokens: 8, context: 8, stride: 4 },
      scaleParams: 0,
      suites: new Set(['matmul', 'hadamard', 'quant']),
    };
    const result = await runGpuSuites(g, options, () => {});
    expect(result.problems).toEqual([]);
    expect(Object.keys(result.adapters)).toEqual([g.id]);
    const names = result.records.map((r) => `${r.suite}: ${r.name}`);
    for (const expected of [
      'copy: copy kernel, 1 MiB', 'copy: read kernel, 1 MiB', 'matmul: q4 64×48 m=1', 'matmul: fp32 64×48 m=3',
      'guard: q4 64×48 m=1', 'guard: fp32 64×48 m=3', 'hadamard: FWHT n=64 (64 rows)', 'hadamard: FWHT n=256 (16 rows)',
    ]) expect(names).toContain(expected);
    for (const family of ['INT4 sym', 'NF4', 'FP8 E4M3', 'MXFP4', 'NVFP4', 'IQ4_NL', 'Q4_0', 'Q4_K']) {
      expect(names.filter((n) => n.startsWith(`quant: ${family}`)), family).toHaveLength(2);
    }
    for (const r of result.records) {
      expect(r.adapter, r.name).toBe(g.id);
      if (r.check) expect(r.check.ok, `${r.name}: ${JSON.stringify(r.check)}`).toBe(true);
      if (r.timing) {
        expect(r.timing.method).toBe('wall-clock');
        expect(Number.isFinite(r.timing.ms) && r.timing.ms > 0, r.name).toBe(true);
      }
    }
    expect(result.records.filter((r) => r.check).length).toBeGreaterThanOrEqual(20);
  }, 120_000);
});
