// tests: the WebGPU backend and the CPU backend give the same TensorResult for the same spec.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QuantBackend } from '../../src/engine/backend';
import { createCpuBackend } from '../../src/engine/cpuBackend';
import { createSourceCache, runExperiment } from '../../src/engine/experiment';
import { createWebGpuBackend } from '../../src/engine/gpuBackend';
import { SYNTHETIC_SPEC, intFormat } from '../../src/spec/defaults';
import type { ExperimentSpec, IntFormat, RegistryFormat, SyntheticSource, UserCodebookFormat } from '../../src/spec/schema';
import type { TensorResult } from '../../src/engine/types';
import type { RecipeTransform } from '../../src/spec/transformSchema';
import { createTestRuntime } from './harness';

let gpu: QuantBackend;
const cpu = createCpuBackend();
const sources = { synthetic: createSourceCache(), models: null };
beforeAll(async () => { gpu = createWebGpuBackend(await createTestRuntime()); });
afterAll(() => gpu.dispose());

function spec(patch: { source?: Partial<SyntheticSource>; format?: Partial<IntFormat> | RegistryFormat | UserCodebookFormat; granularity?: Partial<ExperimentSpec['recipe']['granularity']> }): ExperimentSpec {
  return {
    ...SYNTHETIC_SPEC,
    source: { ...SYNTHETIC_SPEC.source, rows: 256, cols: 384, ...patch.source },
    recipe: {
      format: patch.format?.kind === 'format' || patch.format?.kind === 'codebook' ? patch.format : { ...intFormat(4, 'sym'), ...patch.format },
      granularity: { ...SYNTHETIC_SPEC.recipe.granularity, ...patch.granularity },
    },
  };
}

const CASES: [string, ExperimentSpec][] = [
  ['default recipe on a smaller tensor', spec({})],
  ['INT3 asym per-column, Student-t', spec({ source: { distribution: 'student-t' }, format: { bits: 3, mode: 'asym' }, granularity: { kind: 'column' } })],
  ['INT8 sym per-tensor, Laplace, many outliers', spec({ source: { distribution: 'laplace', outlierChannels: 32 }, format: { bits: 8 }, granularity: { kind: 'tensor' } })],
  ['INT2 asym block 8 (65 536 groups: a 2-D dispatch)', spec({ source: { rows: 512, cols: 1024, distribution: 'uniform' }, format: { bits: 2, mode: 'asym' }, granularity: { kind: 'block', blockSize: 8 } })],
  ['INT4 sym-full, fp16 scales, stochastic rounding', spec({ format: { mode: 'sym-full', scale: 'fp16', rounding: 'stochastic', seed: 7 } })],
  ['INT3 asym-float per-row, percentile clip 99.5, bf16', spec({ source: { distribution: 'student-t' }, format: { bits: 3, mode: 'asym-float', scale: 'bf16', clip: { kind: 'percentile', p: 99.5 } }, granularity: { kind: 'row' } })],
  ['INT4 asym block 32, MSE clip search, E8M0 scales', spec({ format: { mode: 'asym', scale: 'e8m0', clip: { kind: 'mse' } }, granularity: { kind: 'block', blockSize: 32 } })],
  ['MXFP4 (table kernel)', spec({ format: { kind: 'format', id: 'mxfp4' } })],
  ['NVFP4 (table kernel, tensor amax)', spec({ source: { distribution: 'laplace' }, format: { kind: 'format', id: 'nvfp4' } })],
  ['NF4 per-column (table kernel)', spec({ format: { kind: 'format', id: 'nf4' }, granularity: { kind: 'column' } })],
  ['FP8 E4M3 per-row (table kernel, absmax-scaled)', spec({ format: { kind: 'format', id: 'fp8-e4m3' }, granularity: { kind: 'row' } })],
  ['FP8 E5M2 per-row, stochastic rounding (table kernel)', spec({ format: { kind: 'format', id: 'fp8-e5m2', rounding: 'stochastic', seed: 12 }, granularity: { kind: 'row' } })],
  ['MXFP4, stochastic rounding and percentile clip 99.5 (table kernel)', spec({ source: { distribution: 'student-t' }, format: { kind: 'format', id: 'mxfp4', rounding: 'stochastic', seed: 3, clip: { kind: 'percentile', p: 99.5 } } })],
  ['NF4 block 64 with fp16 scales (table kernel)', spec({ format: { kind: 'format', id: 'nf4', scale: 'fp16' }, granularity: { kind: 'block', blockSize: 64 } })],
  ['IQ4_NL with bf16 scales (table kernel)', spec({ source: { distribution: 'laplace' }, format: { kind: 'format', id: 'iq4_nl', scale: 'bf16' } })],
  ['NF4 + double quant per-row (GPU codes, CPU double quant of the scales, GPU decode)', spec({ format: { kind: 'format', id: 'nf4-dq' }, granularity: { kind: 'row' } })],
  ['NF4 + double quant block 64, Student-t (GPU codes, CPU double quant, GPU decode)', spec({ source: { distribution: 'student-t' }, format: { kind: 'format', id: 'nf4-dq' }, granularity: { kind: 'block', blockSize: 64 } })],
  ['llama.cpp Q4_0 (GPU quantization and decode)', spec({ format: { kind: 'format', id: 'q4_0' } })],
  ['llama.cpp Q5_1 per Student-t (GPU quantization and decode)', spec({ source: { distribution: 'student-t' }, format: { kind: 'format', id: 'q5_1' } })],
  ['llama.cpp Q4_K (GPU scale search, quantization and decode)', spec({ source: { cols: 512 }, format: { kind: 'format', id: 'q4_k' } })],
  ['llama.cpp Q6_K, Student-t (GPU scale search, quantization and decode)', spec({ source: { cols: 512, distribution: 'student-t' }, format: { kind: 'format', id: 'q6_k' } })],
  ['NUPES 4-bit, block 128, Student-t (exponent search and companded INT on the GPU)', spec({ source: { distribution: 'student-t' }, format: { kind: 'format', id: 'nupes-4' }, granularity: { kind: 'block', blockSize: 128 } })],
  ['PTQTP per-row, Laplace (trit-plane fit on the GPU)', spec({ source: { distribution: 'laplace' }, format: { kind: 'format', id: 'ptqtp' }, granularity: { kind: 'row' } })],
  ['typed codebook, absmax scaling, per-row (table kernel)', spec({ format: { kind: 'codebook', levels: [-1, -0.5, -0.125, 0, 0.25, 0.75, 1.5], scaling: 'absmax' }, granularity: { kind: 'row' } })],
  ['typed codebook, absmax, block 32, uniform (table kernel)', spec({ source: { distribution: 'uniform' }, format: { kind: 'codebook', levels: [-2, -1, 0.5, 1, 3], scaling: 'absmax' }, granularity: { kind: 'block', blockSize: 32 } })],
  ['typed codebook, raw levels (table kernel)', spec({ format: { kind: 'codebook', levels: [-0.05, -0.02, -0.005, 0, 0.01, 0.03], scaling: 'raw' } })],
  ['typed codebook, 2 raw levels: 1-bit codes (table kernel)', spec({ format: { kind: 'codebook', levels: [-0.01, 0.01], scaling: 'raw' } })],
  ['Lloyd-Max 4-bit, fitted on the CPU (table kernel)', spec({ source: { distribution: 'student-t' }, format: { kind: 'format', id: 'lloyd-max-4' } })],
  ['log2-4, fp16 scales, block 128 (table kernel)', spec({ source: { distribution: 'laplace' }, format: { kind: 'format', id: 'log2-4' }, granularity: { kind: 'block', blockSize: 128 } })],
  ['fp4-search, per-tensor ExMy and clip (table kernel)', spec({ source: { distribution: 'student-t' }, format: { kind: 'format', id: 'fp4-search' } })],
  ['binary sign·mean|x|, fp16 scales, block 128 (table kernel, meanabs)', spec({ format: { kind: 'format', id: 'binary' }, granularity: { kind: 'block', blockSize: 128 } })],
  ['binary per-column, Student-t (table kernel, meanabs)', spec({ source: { distribution: 'student-t' }, format: { kind: 'format', id: 'binary' }, granularity: { kind: 'column' } })],
  ['ternary BitNet per-tensor (table kernel, meanabs)', spec({ format: { kind: 'format', id: 'ternary-bitnet' }, granularity: { kind: 'tensor' } })],
  ['ternary BitNet block 64, Laplace (table kernel, meanabs)', spec({ source: { distribution: 'laplace' }, format: { kind: 'format', id: 'ternary-bitnet' }, granularity: { kind: 'block', blockSize: 64 } })],
  ['IQ4_NL block 32 (table kernel, refit on the GPU)', spec({ source: { distribution: 'student-t' }, format: { kind: 'format', id: 'iq4_nl' } })],
  ['IQ4_NL on a row of 100 (tail blocks, table kernel)', spec({ source: { cols: 100, distribution: 'laplace' }, format: { kind: 'format', id: 'iq4_nl' } })],
  ['block 100 does not divide the row of 384', spec({ format: { bits: 5 }, granularity: { kind: 'block', blockSize: 100 } })],
];

const rel = (a: number, b: number) => (a === b ? 0 : Math.abs(a / b - 1));

/** The metrics of a GPU result equal the CPU reference's: exact where the values are, within the f32 sum bounds elsewhere. */
function expectSameMetrics(g: TensorResult['metrics'], c: TensorResult['metrics']): void {
  // Codes and dequantized values are bit-exact, so these are exact:
  expect(g.maxAbsErr).toBe(c.maxAbsErr);
  expect(g.bitsPerWeight).toBe(c.bitsPerWeight);
  // Only the sums differ: f32 trees on the GPU vs f64 on the CPU (bound ~5e-6 relative, see quant-int.test.ts).
  expect(g.mse / c.mse - 1).toBeCloseTo(0, 5);
  expect(Math.abs(g.sqnrDb - c.sqnrDb)).toBeLessThan(1e-4);
  // The |error| percentiles come from identical fine-histogram counts: exact.
  expect([g.p99AbsErr, g.p999AbsErr]).toEqual([c.p99AbsErr, c.p999AbsErr]);
  // Bounds derived in error-stats.test.ts with L <= 22 additions per chain (n <= 2^19), u = 2^-24:
  // RMSE and relative Frobenius (L+1)u ~ 1.4e-6; 1 − cos (3L+5)u·Σe²/(Σe² − γ²) + (L+1)u, with
  // γ² <= Σe²/2 for these quantizers (error not aligned with x) -> ~1.1e-5; kurtosis (11L+37)u
  // ~ 1.7e-5 (the f32 mean moves the centred sums; zero-mean sources, |μ| <= √3σ).
  expect(rel(g.rmse, c.rmse)).toBeLessThan(1.5e-6);
  expect(rel(g.relFrobenius, c.relFrobenius)).toBeLessThan(1.5e-6);
  expect(rel(g.oneMinusCosine, c.oneMinusCosine)).toBeLessThan(1.2e-5);
  expect(Math.abs(g.cosine - c.cosine)).toBeLessThan(1.2e-5 * c.oneMinusCosine + 1e-15);
  expect(rel(g.kurtosis, c.kurtosis)).toBeLessThan(1.7e-5);
}

describe('runExperiment on WebGPU equals the CPU reference', () => {
  for (const [name, s] of CASES) {
    it(name, async () => {
      const [g, c] = [await runExperiment(s, gpu, sources), await runExperiment(s, cpu, sources)];
      expect(g.backend).toBe('webgpu');
      expect(g.quantizedOn).toBe(name.includes('CPU quantization') ? 'cpu' : 'webgpu');
      expect(c.backend).toBe('cpu');
      expect(g.histograms).toEqual(c.histograms);
      expect(g.levels).toEqual(c.levels);
      expect(g.groupCount).toBe(c.groupCount);
      expectSameMetrics(g.metrics, c.metrics);
    });
  }
});

/** A case of the transform step: the spec, and the steps that must run on the GPU. */
const TRANSFORM_CASES: [string, ExperimentSpec, string[]][] = ([
  ['Hadamard seed 3, INT4 sym block 64, Student-t with 8 outlier channels (rotations on the GPU)',
    { method: 'hadamard', params: { seed: 3 } }, { source: { distribution: 'student-t', outlierChannels: 8 } }, ['Hadamard rotation']],
  ['plain Hadamard (no signs) in blocks of 128, NF4 per row', { method: 'hadamard', params: { seed: null, block: 128 } },
    { source: { distribution: 'laplace' }, format: { kind: 'format', id: 'nf4' } as RegistryFormat, granularity: { kind: 'row' } }, ['Hadamard rotation']],
  ['vector quantization 2-d, 6-bit codes (k-means assignment on the GPU)', { method: 'vq', params: { dim: 2, bits: 6, seed: 5 } },
    { source: { distribution: 'student-t' } }, ['k-means assignment']],
  ['outlier retention, top 8 columns (CPU method, GPU statistics)', { method: 'retention', params: { axis: 'column', select: { kind: 'top', count: 8 } } },
    { source: { outlierChannels: 8 } }, []],
  ['low-rank r4 + INT3 residual (CPU method, GPU statistics)', { method: 'lowrank', params: { rank: 4 } }, { format: { bits: 3 } }, []],
] as [string, RecipeTransform, Parameters<typeof spec>[0], string[]][]).map(([name, transform, patch, steps]) => {
  const s = spec(patch);
  return [name, { ...s, recipe: { ...s.recipe, transform } }, steps];
});

describe('the transform step on WebGPU equals the CPU reference', () => {
  for (const [name, s, steps] of TRANSFORM_CASES) {
    it(name, async () => {
      const [g, c] = [await runExperiment(s, gpu, sources), await runExperiment(s, cpu, sources)];
      expect(g.transform?.gpuSteps).toEqual([...steps, 'error statistics']);
      expect(c.transform?.gpuSteps).toEqual([]);
      expect(g.quantizedOn).toBe(s.recipe.transform?.method === 'vq' ? 'webgpu' : 'cpu');
      // x̂ is bit-exact (rotations, assignments and the base format agree bit for bit), so:
      expect(g.histograms).toEqual(c.histograms);
      expect(g.levels).toEqual(c.levels);
      expect(g.groupCount).toBe(c.groupCount);
      expectSameMetrics(g.metrics, c.metrics);
      expectSameMetrics(g.transform!.baseline, c.transform!.baseline);
      expect(g.outliers).toEqual(c.outliers);
      const { gpuSteps: _g, baseline: _gb, ...gRest } = g.transform!;
      const { gpuSteps: _c, baseline: _cb, ...cRest } = c.transform!;
      if (gRest.method !== 'hadamard' || cRest.method !== 'hadamard') return expect(gRest).toEqual(cRest);
      // Hadamard: W' and Q(W') are bit-exact, so their anatomy, histograms and levels are equal;
      // the other seeds' errors are sums (GPU kernels' f32 trees vs f64), within the bounds above.
      const { seedSpread: gs, ...gRot } = gRest.rotation;
      const { seedSpread: cs, ...cRot } = cRest.rotation;
      expect(gRot).toEqual(cRot);
      expect(gs.map((e) => e.seed)).toEqual(cs.map((e) => e.seed));
      gs.forEach((e, i) => expect(rel(e.mse, cs[i].mse)).toBeLessThan(1e-5));
    });
  }
});
