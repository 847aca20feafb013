// tests (engine layer): the transform step on the CPU backend computes what src/quant/transforms computes, keeps the format alone as its baseline, and reports the anatomy and the Hadamard before/after.
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../src/engine/cpuBackend';
import { createSourceCache, runExperiment } from '../../src/engine/experiment';
import { SPREAD_MAX_ELEMENTS } from '../../src/engine/transformRun';
import { syntheticMatrix } from '../../src/model/synthetic';
import { rotateInputDim, hadamardRotation } from '../../src/quant/hadamard/rotation';
import { errorMetrics, errorSums, histograms } from '../../src/quant/metrics';
import { outlierAnatomy } from '../../src/quant/transforms/anatomy';
import { baseQuantizer } from '../../src/quant/transforms/base';
import { applyTransform } from '../../src/quant/transforms/registry';
import { applyRotation } from '../../src/quant/transforms/rotation';
import { SYNTHETIC_SPEC } from '../../src/spec/defaults';
import { formatChoice } from '../../src/spec/formatChoice';
import type { ExperimentSpec, SyntheticSource } from '../../src/spec/schema';
import { type RecipeTransform, transformSpecOf } from '../../src/spec/transformSchema';

const cpu = createCpuBackend();
const sources = { synthetic: createSourceCache(), models: null };

/** Student-t weights with 4 outlier channels ×10, INT4 sym block 64, and the given transform step. */
function spec(transform: RecipeTransform | undefined, source: Partial<SyntheticSource> = {}): ExperimentSpec & { source: SyntheticSource } {
  const s = { ...SYNTHETIC_SPEC, source: { ...SYNTHETIC_SPEC.source, rows: 96, cols: 256, distribution: 'student-t' as const, ...source } };
  return { ...s, recipe: transform ? { ...s.recipe, transform } : s.recipe };
}

/** The library's result for a spec: x, x̂ and bits from applyTransform with the recipe's format. */
function reference(s: ReturnType<typeof spec>) {
  const { rows, cols } = s.source;
  const x = syntheticMatrix(s.source);
  const quantize = baseQuantizer(formatChoice(s.recipe), s.recipe.granularity.kind, s.recipe.granularity.blockSize);
  const r = applyTransform(transformSpecOf(s.recipe.transform!), x, rows, cols, quantize);
  return { x, ...r };
}

const METHODS: RecipeTransform[] = [
  { method: 'hadamard', params: { seed: 11 } },
  { method: 'retention', params: { axis: 'column', select: { kind: 'top', count: 4 } } },
  { method: 'reorder', params: { by: 'absmax' } },
  { method: 'splitquant', params: {} },
  { method: 'lowrank', params: { rank: 4 } },
  { method: 'clip-search', params: {} },
  { method: 'vq', params: { dim: 2, bits: 4 } },
];

describe('runExperiment with a transform step (CPU backend)', () => {
  for (const t of METHODS) {
    it(`${t.method}: metrics, histograms and bits are the library's, the baseline is the format alone`, async () => {
      const s = spec(t);
      const [got, alone] = [await runExperiment(s, cpu, sources), await runExperiment(spec(undefined), cpu, sources)];
      const ref = reference(s);
      const sums = errorSums(ref.x, ref.xhat);
      expect(got.metrics).toEqual({ ...errorMetrics(sums), bitsPerWeight: ref.bitsPerWeight, storageBytes: Math.ceil((ref.baseBits + ref.extraBits) / 8) });
      expect(got.histograms).toEqual(histograms(ref.x, ref.xhat, sums));
      expect(got.transform).toMatchObject({ method: t.method, info: ref.info, baseline: alone.metrics, gpuSteps: [] });
      expect(got.transform!.baseBitsPerWeight + got.transform!.extraBitsPerWeight).toBeCloseTo(ref.bitsPerWeight, 12);
      expect(got.outliers).toEqual(outlierAnatomy(ref.x, s.source.rows, s.source.cols));
      expect(alone.transform).toBeUndefined();
      expect(alone.outliers).toEqual(got.outliers);
    });
  }

  it('Hadamard equals applyRotation bit for bit, and cuts the INT4 error on Student-t weights with outlier channels', async () => {
    const s = spec({ method: 'hadamard', params: { seed: 11 } });
    const got = await runExperiment(s, cpu, sources);
    const { rows, cols } = s.source;
    const x = syntheticMatrix(s.source);
    const lib = applyRotation(x, rows, cols, { seed: 11 }, baseQuantizer(formatChoice(s.recipe), 'block', 64));
    expect(got.metrics.mse).toBe(errorMetrics(errorSums(x, lib.xhat)).mse);
    expect(got.metrics.bitsPerWeight).toBe(lib.bitsPerWeight);
    // The rotation spreads the 10× channels over every column: at least 3 dB less error here.
    expect(got.metrics.sqnrDb - got.transform!.baseline.sqnrDb).toBeGreaterThan(3);
  });

  it('Hadamard reports the rotated weights\' anatomy and histograms, and the error over four sign seeds', async () => {
    const s = spec({ method: 'hadamard', params: { seed: 11 } });
    const got = await runExperiment(s, cpu, sources);
    const { rows, cols } = s.source;
    const x = syntheticMatrix(s.source);
    const rotated = rotateInputDim(x, rows, cols, hadamardRotation(cols, { seed: 11 }));
    if (got.transform?.method !== 'hadamard') throw new Error('expected a Hadamard outcome');
    const { rotation } = got.transform;
    expect(rotation.anatomy).toEqual(outlierAnatomy(rotated, rows, cols));
    expect(rotation.histograms.original.reduce((a, b) => a + b)).toBe(rows * cols);
    // Rotated, the outlier columns are gone: the largest column absmax falls towards the median.
    expect(rotation.anatomy.colAbsmax.max / rotation.anatomy.colAbsmax.median).toBeLessThan(got.outliers.colAbsmax.max / got.outliers.colAbsmax.median / 2);
    expect(rotation.seedSpread.map((e) => e.seed)).toEqual([11, 12, 13, 14]);
    expect(rotation.seedSpreadNote).toBeNull();
    // Each seed's error in the rotated basis equals applyRotation's in the original basis up to the
    // rotation's f32 rounding (~1e-7 of each weight, far below the INT4 error): relative 1e-4.
    const quantize = baseQuantizer(formatChoice(s.recipe), 'block', 64);
    for (const e of rotation.seedSpread) {
      const mse = errorMetrics(errorSums(x, applyRotation(x, rows, cols, { seed: e.seed }, quantize).xhat)).mse;
      expect(Math.abs(e.mse / mse - 1)).toBeLessThan(1e-4);
    }
  });

  it('the plain Hadamard matrix (no signs) is compared with sign seeds 0..3', async () => {
    const got = await runExperiment(spec({ method: 'hadamard', params: { seed: null } }), cpu, sources);
    if (got.transform?.method !== 'hadamard') throw new Error('expected a Hadamard outcome');
    expect(got.transform.rotation.seed).toBeNull();
    expect(got.transform.rotation.seedSpread.map((e) => e.seed)).toEqual([0, 1, 2, 3]);
    expect(got.transform.extraBitsPerWeight).toBe(0);
  });

  it(`skips the seed spread above ${SPREAD_MAX_ELEMENTS} weights, saying why`, async () => {
    const cols = 2048, rows = SPREAD_MAX_ELEMENTS / cols + 1;
    const got = await runExperiment(spec({ method: 'hadamard', params: { seed: 1 } }, { rows, cols, outlierChannels: 0 }), cpu, sources);
    if (got.transform?.method !== 'hadamard') throw new Error('expected a Hadamard outcome');
    expect(got.transform.rotation.seedSpread).toEqual([]);
    expect(got.transform.rotation.seedSpreadNote).toMatch(/^Not measured: 4,196,352 weights is more than 4,194,304/);
  }, 60_000);

  it('vector quantization counts codebooks as groups and draws no scalar grid', async () => {
    const got = await runExperiment(spec({ method: 'vq', params: { dim: 2, bits: 4 } }), cpu, sources);
    expect(got.groupCount).toBe(1);
    expect(got.groupSize).toBe(96 * 256);
    expect(got.levels.values).toEqual([]);
  });

  it('names a shape the method cannot take (a VQ sub-vector length that does not divide the row)', async () => {
    await expect(runExperiment(spec({ method: 'vq', params: { dim: 3, bits: 4 } }), cpu, sources)).rejects.toThrow(/divides the row length 256/);
  });
});
