// tests (spec layer): the experiment spec schema accepts the default and rejects out-of-range values.
import type { IntFormat } from '../../src/spec/schema';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SPEC, SYNTHETIC_SPEC } from '../../src/spec/defaults';
import { DISTRIBUTIONS, type ExperimentSpec, type SyntheticSource, experimentSpecSchema, GRANULARITIES, SPEC_VERSION } from '../../src/spec/schema';

/** The default recipe's integer format, for tests that poke at its fields. */
const intOf = (s: ExperimentSpec) => s.recipe.format as IntFormat;

type SyntheticSpec = ExperimentSpec & { source: SyntheticSource };

/** A deep copy of the synthetic default with one change applied (the default itself stays untouched). */
function variant(change: (s: SyntheticSpec) => void): unknown {
  const s = structuredClone(SYNTHETIC_SPEC);
  change(s);
  return s;
}

/** The paths of the issues zod reports, e.g. "recipe.format.bits". */
function failingPaths(spec: unknown): string[] {
  const r = experimentSpecSchema.safeParse(spec);
  return r.success ? [] : r.error.issues.map((i) => i.path.join('.'));
}

describe('experimentSpecSchema', () => {
  it('accepts DEFAULT_SPEC unchanged', () => {
    const r = experimentSpecSchema.safeParse(DEFAULT_SPEC);
    expect(r.success).toBe(true);
    expect(r.data).toEqual(DEFAULT_SPEC);
    expect(DEFAULT_SPEC.version).toBe(SPEC_VERSION);
  });
  it('accepts every distribution, every granularity and the range ends', () => {
    for (const d of DISTRIBUTIONS) expect(failingPaths(variant((s) => { s.source.distribution = d; }))).toEqual([]);
    for (const g of GRANULARITIES) expect(failingPaths(variant((s) => { s.recipe.granularity.kind = g; }))).toEqual([]);
    expect(failingPaths(variant((s) => { intOf(s).bits = 2; }))).toEqual([]);
    expect(failingPaths(variant((s) => { intOf(s).bits = 8; intOf(s).mode = 'asym'; }))).toEqual([]);
    expect(failingPaths(variant((s) => { s.source.seed = 0xffffffff; }))).toEqual([]);
    expect(failingPaths(variant((s) => { s.source.seed = 0; s.source.outlierChannels = 0; s.source.outlierScale = 1; }))).toEqual([]);
    expect(failingPaths(variant((s) => { s.recipe.granularity.blockSize = 1; }))).toEqual([]);
  });
  const rejected: [string, (s: SyntheticSpec) => void, string][] = [
    ['bits 9', (s) => { intOf(s).bits = 9; }, 'recipe.format.bits'],
    ['bits 1', (s) => { intOf(s).bits = 1; }, 'recipe.format.bits'],
    ['bits 4.5', (s) => { intOf(s).bits = 4.5; }, 'recipe.format.bits'],
    ['blockSize 0', (s) => { s.recipe.granularity.blockSize = 0; }, 'recipe.granularity.blockSize'],
    ['blockSize 2^20 + 1', (s) => { s.recipe.granularity.blockSize = (1 << 20) + 1; }, 'recipe.granularity.blockSize'],
    ['negative seed', (s) => { s.source.seed = -1; }, 'source.seed'],
    ['seed 2^32', (s) => { s.source.seed = 2 ** 32; }, 'source.seed'],
    ['unknown distribution', (s) => { (s.source as { distribution: string }).distribution = 'cauchy'; }, 'source.distribution'],
    ['unknown granularity', (s) => { (s.recipe.granularity as { kind: string }).kind = 'channel'; }, 'recipe.granularity.kind'],
    ['rows 0', (s) => { s.source.rows = 0; }, 'source.rows'],
    ['cols 8193', (s) => { s.source.cols = 8193; }, 'source.cols'],
    ['outlierChannels 257', (s) => { s.source.outlierChannels = 257; }, 'source.outlierChannels'],
    ['outlierScale 0.5', (s) => { s.source.outlierScale = 0.5; }, 'source.outlierScale'],
    ['version 2', (s) => { (s as { version: number }).version = 2; }, 'version'],
    ['format kind fp', (s) => { (s.recipe.format as { kind: string }).kind = 'fp'; }, 'recipe.format.kind'],
    ['unknown integer mode', (s) => { (s.recipe.format as unknown as { mode: unknown }).mode = 'yes'; }, 'recipe.format.mode'],
    ['1-bit symmetric', (s) => { intOf(s).bits = 1; intOf(s).mode = 'sym-full'; }, 'recipe.format.bits'],
    ['float zero point in E8M0', (s) => { intOf(s).mode = 'asym-float'; intOf(s).scale = 'e8m0'; }, 'recipe.format.scale'],
    ['percentile 80', (s) => { intOf(s).clip = { kind: 'percentile', p: 80 }; }, 'recipe.format.clip.p'],
  ];
  for (const [what, change, path] of rejected) {
    it(`rejects ${what} at ${path}`, () => {
      expect(failingPaths(variant(change))).toEqual([path]);
    });
  }
  it('rejects a missing section', () => {
    const { view: _view, ...noView } = DEFAULT_SPEC;
    expect(failingPaths(noView)).toEqual(['view']);
  });
});

describe('integer format combinations', () => {
  it('accepts exactly what the quantizer accepts', async () => {
    const { intFormatProblem } = await import('../../src/quant/int');
    const { intFormat } = await import('../../src/spec/defaults');
    for (const mode of ['sym', 'sym-full', 'asym', 'asym-float'] as const) {
      for (const scale of ['fp32', 'fp16', 'bf16', 'e4m3', 'e8m0'] as const) {
        for (const bits of [1, 2, 8]) {
          const format = { ...intFormat(bits, mode), scale };
          const { kind: _kind, ...params } = format;
          const ok = experimentSpecSchema.safeParse({ ...DEFAULT_SPEC, recipe: { ...DEFAULT_SPEC.recipe, format } }).success;
          expect(ok, `${mode} ${scale} ${bits}`).toBe(intFormatProblem(params) === null);
        }
      }
    }
  });
});

describe('registry format options', () => {
  const withFormat = (format: unknown) => ({ ...DEFAULT_SPEC, recipe: { ...DEFAULT_SPEC.recipe, format } });
  it('old links without the optional fields stay valid and unchanged', () => {
    const r = experimentSpecSchema.safeParse(withFormat({ kind: 'format', id: 'nf4' }));
    expect(r.success && r.data.recipe.format).toEqual({ kind: 'format', id: 'nf4' });
  });
  it('accepts scale storage on NF4 and IQ4_NL, rounding and clip on MX, and passes them to the quantizer', async () => {
    const { formatChoice } = await import('../../src/spec/formatChoice');
    for (const format of [
      { kind: 'format', id: 'nf4', scale: 'bf16' }, { kind: 'format', id: 'iq4_nl', scale: 'fp32' },
      { kind: 'format', id: 'mxfp4', rounding: 'stochastic', seed: 3, clip: { kind: 'percentile', p: 99 } },
    ] as const) {
      const r = experimentSpecSchema.safeParse(withFormat(format));
      expect(r.success, JSON.stringify(format)).toBe(true);
      const { kind: _k, id, ...options } = format;
      expect(formatChoice({ ...DEFAULT_SPEC.recipe, format })).toEqual({ kind: 'format', id, options });
    }
    expect(formatChoice({ ...DEFAULT_SPEC.recipe, format: { kind: 'format', id: 'nf4' } })).toEqual({ kind: 'format', id: 'nf4' });
  });
  it.each([
    ['a scale on a format without the choice', { kind: 'format', id: 'nf4-dq', scale: 'fp16' }, 'recipe.format.scale'],
    ['an unknown scale storage', { kind: 'format', id: 'nf4', scale: 'e8m0' }, 'recipe.format.scale'],
    ['rounding on a codebook', { kind: 'format', id: 'nf4', rounding: 'stochastic' }, 'recipe.format.rounding'],
    ['an MSE clip (integer only)', { kind: 'format', id: 'mxfp4', clip: { kind: 'mse' } }, 'recipe.format.clip.kind'],
    ['a percentile below 90', { kind: 'format', id: 'fp8-e4m3', clip: { kind: 'percentile', p: 80 } }, 'recipe.format.clip.p'],
  ])('rejects %s', (_what, format, path) => {
    expect(failingPaths(withFormat(format))).toContain(path);
  });
});
