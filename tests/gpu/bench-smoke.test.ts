// tests: a smoke run of the bench's GPU suites (copy yardsticks, matmul + guard, Hadamard, quantization) on tiny sizes, on a device opened by openBenchGpu as `npm run bench` opens it: every record present, on this adapter, checked and passing; no timing thresholds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BenchGpu, openBenchGpu } from '../../bench/gpu';
import { runGpuSuites } from '../../bench/gpuSuites';
import { dawnAdapter, DAWN_RUNTIME } from '../../bench/node/dawn';
import type { BenchOptions } from '../../bench/options';
import { caseName } from '../../bench/suites/matmul';
import { fingerprintId, KEY_LIMITS } from '../../bench/stats';
import type { EnvResults } from '../../bench/types';
import { destroyRuntime } from '../../src/gpu/runtime';

/**
 * The bench's own Dawn adapter (bench/node/dawn.ts: the harness's OpenGL ES backend on llvmpipe at
 * the compatibility level). openBenchGpu needs the adapter itself, which tests/gpu/harness.ts does
 * not hand out, so this file holds its one device this way instead of through the harness.
 */
let g: BenchGpu;
beforeAll(async () => {
  const found = await dawnAdapter();
  if (!found.adapter) throw new Error(`bench smoke test: ${found.reason}`);
  g = await openBenchGpu(found.adapter, DAWN_RUNTIME);
});
afterAll(() => destroyRuntime(g.rt));

const MATMUL = [{ k: 64, n: 48, m: 1, bits: 4 }, { k: 64, n: 48, m: 3, bits: 'f32' }] as const;
const OPTIONS: BenchOptions = {
  mode: 'quick',
  timer: { warmups: 0, repeats: 1, targetMs: 1, maxOps: 2 },
  copyBytes: 2 ** 20,
  matmul: MATMUL,
  peerTargetMs: 1,
  hadamard: { sizes: [64, 256], elements: 4096, denseMacs: 2 ** 16 },
  quantElements: 8192, // two rows of the quant suite's 4096 columns
  forward: { tokens: 8, context: 8, stride: 4 },
  scaleParams: 0,
  suites: new Set(['matmul', 'hadamard', 'quant']),
};

describe('openBenchGpu', () => {
  it('fingerprints the adapter with every key limit and its sorted features, and names it by that fingerprint', () => {
    expect(g.id).toBe(fingerprintId(g.fingerprint));
    expect(g.fingerprint.runtime).toBe(DAWN_RUNTIME);
    expect(Object.keys(g.fingerprint.limits)).toEqual([...KEY_LIMITS]);
    for (const v of Object.values(g.fingerprint.limits)) expect(v).toBeGreaterThan(0);
    expect(g.fingerprint.features).toEqual([...g.fingerprint.features].sort());
    expect(g.timestamps).toBe(g.fingerprint.features.includes('timestamp-query'));
    // The kernels need 256 threads per workgroup (the compatibility level's default is 128).
    expect(g.rt.device.limits.maxComputeInvocationsPerWorkgroup).toBeGreaterThanOrEqual(256);
  });
});

describe('runGpuSuites on tiny sizes', () => {
  let result: EnvResults;
  beforeAll(async () => { result = await runGpuSuites(g, OPTIONS, () => {}); });
  const named = (suite: string, name: string) => result.records.filter((r) => r.suite === suite && r.name === name);

  it('runs without problems and reports this adapter\'s fingerprint', () => {
    expect(result.problems).toEqual([]);
    expect(result.adapters).toEqual({ [g.id]: g.fingerprint });
  });

  it('has the yardsticks, a matmul and a guard record per case, FWHT and dense Hadamard per size, quantize and dequantize per family', () => {
    for (const name of ['copy kernel, 1 MiB', 'read kernel, 1 MiB', 'empty dispatch (one workgroup, own compute pass)']) expect(named('copy', name), name).toHaveLength(1);
    for (const c of MATMUL) {
      expect(named('matmul', caseName(c)), caseName(c)).toHaveLength(1);
      expect(named('guard', caseName(c)), caseName(c)).toHaveLength(1);
    }
    for (const n of OPTIONS.hadamard.sizes) {
      const rows = OPTIONS.hadamard.elements / n;
      expect(named('hadamard', `FWHT n=${n} (${rows} rows)`)).toHaveLength(1);
      expect(result.records.filter((r) => r.suite === 'hadamard' && r.name.startsWith(`dense Hadamard matmul n=${n} `))).toHaveLength(1);
    }
    const quant = result.records.filter((r) => r.suite === 'quant').map((r) => r.name);
    const quantized = quant.filter((n) => /: quantize \((round trip|to codes)\)$/.test(n)).map((n) => n.slice(0, n.lastIndexOf(': quantize')));
    const dequantized = quant.filter((n) => n.endsWith(': dequantize')).map((n) => n.slice(0, -': dequantize'.length));
    // One per family: integer, the table kernel's families (NF4, FP8, MXFP4, NVFP4, IQ4_NL) and ggml (Q4_0, Q4_K).
    expect(quantized).toHaveLength(8);
    expect(dequantized).toEqual(quantized);
    for (const family of ['INT4', 'NF4', 'FP8', 'MXFP4', 'NVFP4', 'IQ4_NL', 'Q4_0', 'Q4_K']) expect(quantized.some((q) => q.startsWith(family)), family).toBe(true);
  });

  it('gives the guard the launch of both kernels: a known thread count for ours, the reference\'s grid for the reference', () => {
    // matvec_ref: one 64-thread workgroup per (row of Ŵ, row of x); matmul_ref: 16×16 tiles of y.
    const referenceThreads = (c: (typeof MATMUL)[number]) => (c.m === 1 ? c.n * c.m * 64 : Math.ceil(c.n / 16) * Math.ceil(c.m / 16) * 256);
    for (const c of MATMUL) {
      const [guard] = named('guard', caseName(c));
      expect(guard.figures.referenceThreads, caseName(c)).toBe(referenceThreads(c));
      // NaN here would mean a pipeline the guard does not know the workgroup size of: it could never flag it.
      expect(Number.isInteger(guard.figures.threads) && (guard.figures.threads as number) > 0, `${caseName(c)}: ${guard.figures.threads}`).toBe(true);
      expect(typeof guard.figures.flagged).toBe('boolean');
      expect(guard.figures.reference).toBe(c.m === 1 ? 'matvec_ref' : 'matmul_ref');
    }
  });

  it('checks every figure that has an output, and every check passes', () => {
    const unchecked = result.records.filter((r) => !r.check).map((r) => `${r.suite}: ${r.name}`);
    // Only the empty dispatch (no output by design) and the error statistics (checked by tests/gpu/error-stats.test.ts) carry no check.
    expect(unchecked).toEqual(['copy: empty dispatch (one workgroup, own compute pass)', 'quant: error statistics (sums, moments, histograms of x and x̂)']);
    for (const r of result.records) {
      if (r.check) expect(r.check.ok, `${r.suite}: ${r.name}: ${JSON.stringify(r.check)}`).toBe(true);
    }
  });

  it('puts this adapter\'s id and a finite positive time on every record', () => {
    for (const r of result.records) {
      expect(r.adapter, r.name).toBe(g.id);
      if (!r.timing) throw new Error(`${r.suite}: ${r.name} has no timing`);
      expect(r.timing.method).toBe(g.timestamps ? r.timing.method : 'wall-clock');
      expect(r.timing.ms, r.name).toBeGreaterThan(0);
      expect(Number.isFinite(r.timing.ms), r.name).toBe(true);
      expect(r.timing.samples).toHaveLength(OPTIONS.timer.repeats);
      expect(r.timing.opsPerSubmit).toBeGreaterThanOrEqual(1);
    }
  });
});
