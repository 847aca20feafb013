// tests (spec + state layers): the recipe's transform step: schema ranges, old links unchanged, the chip, and the setters that keep it valid.
import { describe, expect, it } from 'vitest';
import { TRANSFORMS } from '../../src/quant/transforms/registry';
import { DEFAULT_SPEC, recipeLabel, SYNTHETIC_SPEC } from '../../src/spec/defaults';
import { experimentSpecSchema, type ExperimentSpec } from '../../src/spec/schema';
import { transformSchema } from '../../src/spec/transformSchema';
import { createAppStore } from '../../src/state/store';

/** The synthetic default with a transform step (not validated: the tests do that). */
const withTransform = (transform: unknown): unknown => ({ ...SYNTHETIC_SPEC, recipe: { ...SYNTHETIC_SPEC.recipe, transform } });

/** The paths of the issues zod reports for a spec, e.g. "recipe.transform.params.rank". */
function failingPaths(spec: unknown): string[] {
  const r = experimentSpecSchema.safeParse(spec);
  return r.success ? [] : r.error.issues.map((i) => i.path.join('.'));
}

describe('transform step in the spec', () => {
  it('is optional: a spec without it (every older link) parses to itself, version 1', () => {
    const r = experimentSpecSchema.safeParse(DEFAULT_SPEC);
    expect(r.success && 'transform' in r.data.recipe).toBe(false);
    expect(r.data).toEqual(DEFAULT_SPEC);
    expect(DEFAULT_SPEC.version).toBe(1);
  });

  it('accepts every method with its registry defaults (the setters start from them)', () => {
    for (const d of TRANSFORMS) {
      if (d.method === 'none') continue;
      expect(failingPaths(withTransform({ method: d.method, params: d.defaults })), d.method).toEqual([]);
    }
  });

  it('has no "none" method: absent is the one way to say it', () => {
    expect(transformSchema.safeParse({ method: 'none', params: {} }).success).toBe(false);
  });

  it('rejects parameters out of their ranges, naming the field', () => {
    const cases: [unknown, string][] = [
      [{ method: 'hadamard', params: { seed: -1 } }, 'recipe.transform.params.seed'],
      [{ method: 'hadamard', params: { seed: 2 ** 32 } }, 'recipe.transform.params.seed'],
      [{ method: 'hadamard', params: { seed: 1, block: 0 } }, 'recipe.transform.params.block'],
      [{ method: 'lowrank', params: { rank: 1.5 } }, 'recipe.transform.params.rank'],
      [{ method: 'lowrank', params: { rank: 2000 } }, 'recipe.transform.params.rank'],
      [{ method: 'vq', params: { dim: 9, bits: 8 } }, 'recipe.transform.params.dim'],
      [{ method: 'vq', params: { dim: 2, bits: 13 } }, 'recipe.transform.params.bits'],
      [{ method: 'retention', params: { axis: 'column', select: { kind: 'top', count: -1 } } }, 'recipe.transform.params.select.count'],
      [{ method: 'retention', params: { axis: 'diagonal', select: { kind: 'top', count: 1 } } }, 'recipe.transform.params.axis'],
      [{ method: 'clip-search', params: { ratios: [0] } }, 'recipe.transform.params.ratios.0'],
      [{ method: 'splitquant', params: { iterations: 0 } }, 'recipe.transform.params.iterations'],
    ];
    for (const [t, path] of cases) expect(failingPaths(withTransform(t)), JSON.stringify(t)).toEqual([path]);
  });

  it('keeps the plain Hadamard matrix (seed null) distinct from seed 0', () => {
    expect(transformSchema.parse({ method: 'hadamard', params: { seed: null } })).toEqual({ method: 'hadamard', params: { seed: null } });
    expect(transformSchema.parse({ method: 'hadamard', params: { seed: 0 } })).toEqual({ method: 'hadamard', params: { seed: 0 } });
  });
});

describe('recipeLabel with a transform step', () => {
  const recipe = (transform: unknown) => (experimentSpecSchema.parse(withTransform(transform)) as ExperimentSpec).recipe;
  it('puts the transform first: "Hadamard · INT4 sym · block 64"', () => {
    expect(recipeLabel(recipe({ method: 'hadamard', params: { seed: 0 } }))).toBe('Hadamard · INT4 sym · block 64');
    expect(recipeLabel(recipe({ method: 'hadamard', params: { seed: null, block: 256 } }))).toBe('Hadamard block 256 no signs · INT4 sym · block 64');
    expect(recipeLabel(recipe({ method: 'lowrank', params: { rank: 8 } }))).toBe('low-rank r8 · INT4 sym · block 64');
    expect(recipeLabel(recipe({ method: 'retention', params: { axis: 'column', select: { kind: 'top', count: 8 } } }))).toBe('keep 8 columns fp16 · INT4 sym · block 64');
  });
  it('shows vector quantization alone: it replaces the format', () => {
    expect(recipeLabel(recipe({ method: 'vq', params: { dim: 2, bits: 8 } }))).toBe('VQ 2-d · 8-bit codes');
  });
});

describe('transform setters', () => {
  it('set a method with its registry defaults, and "none" removes the step', () => {
    const store = createAppStore();
    store.getState().setTransform('hadamard');
    expect(store.getState().spec.recipe.transform).toEqual({ method: 'hadamard', params: { seed: 0 } });
    store.getState().setTransform('none');
    expect('transform' in store.getState().spec.recipe).toBe(false);
  });

  it('clamp numbers into the schema ranges, also inside a nested choice, and keep the spec valid', () => {
    const store = createAppStore();
    const s = store.getState();
    s.setTransform('lowrank');
    s.setTransformParams('lowrank', { rank: 5000 });
    expect(store.getState().spec.recipe.transform).toMatchObject({ method: 'lowrank', params: { rank: 1024 } });
    s.setTransformParams('lowrank', { rank: Number.NaN });
    expect(store.getState().spec.recipe.transform).toMatchObject({ params: { rank: 0 } });
    s.setTransform('retention');
    s.setTransformParams('retention', { select: { kind: 'top', count: -4.2 } });
    expect(store.getState().spec.recipe.transform).toMatchObject({ params: { select: { kind: 'top', count: 0 } } });
    s.setTransformParams('retention', { select: { kind: 'threshold', value: 2e9 } });
    expect(store.getState().spec.recipe.transform).toMatchObject({ params: { select: { kind: 'threshold', value: 1e6 } } });
    s.setTransform('vq');
    s.setTransformParams('vq', { dim: 2.4, bits: 40 });
    expect(store.getState().spec.recipe.transform).toEqual({ method: 'vq', params: { dim: 2, bits: 12, iterations: 10, seed: 0 } });
    expect(() => experimentSpecSchema.parse(store.getState().spec)).not.toThrow();
  });

  it('ignore parameters for a method that is not the current one, and remember each method\'s last parameters', () => {
    const store = createAppStore();
    const s = store.getState();
    s.setTransform('hadamard');
    s.setTransformParams('hadamard', { seed: 7 });
    s.setTransformParams('vq', { bits: 4 });
    expect(store.getState().spec.recipe.transform).toEqual({ method: 'hadamard', params: { seed: 7 } });
    s.setTransform('vq');
    s.setTransform('hadamard');
    expect(store.getState().spec.recipe.transform).toEqual({ method: 'hadamard', params: { seed: 7 } });
  });

  it('leave the format and granularity alone', () => {
    const store = createAppStore();
    const before = store.getState().spec.recipe;
    store.getState().setTransform('reorder');
    const after = store.getState().spec.recipe;
    expect(after.format).toBe(before.format);
    expect(after.granularity).toBe(before.granularity);
  });
});
