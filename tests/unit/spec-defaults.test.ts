// tests (spec layer): the default experiment and the short recipe label.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SPEC, EMBEDDED_MODEL_NAME, intFormat, recipeLabel, SYNTHETIC_SPEC } from '../../src/spec/defaults';
import type { Recipe } from '../../src/spec/schema';

const recipe = (bits: number, symmetric: boolean, kind: Recipe['granularity']['kind'], blockSize = 64): Recipe => ({
  format: intFormat(bits, symmetric ? 'sym' : 'asym'),
  granularity: { kind, blockSize },
});

describe('DEFAULT_SPEC', () => {
  it('is the documented first view: the embedded model\'s block-1 key projection, INT4 sym block 64', () => {
    expect(DEFAULT_SPEC.source).toEqual({
      kind: 'model', model: { kind: 'embedded', name: 'lowbit-tiny-llama' }, tensor: 'model.layers.1.self_attn.k_proj.weight',
    });
    expect(DEFAULT_SPEC.recipe).toEqual(recipe(4, true, 'block', 64));
    expect(DEFAULT_SPEC.view).toEqual({ logScale: true });
  });
  it('offers the synthetic tensor with the same recipe: 1024 x 1024 Gaussian, 4 outlier channels at 10x', () => {
    expect(SYNTHETIC_SPEC.source).toEqual({
      kind: 'synthetic', rows: 1024, cols: 1024, distribution: 'gaussian', seed: 1, outlierChannels: 4, outlierScale: 10,
    });
    expect(SYNTHETIC_SPEC.recipe).toBe(DEFAULT_SPEC.recipe);
  });
  it('names a tensor the shipped model has', () => {
    const header = readFileSync(path.resolve(__dirname, '../../public/models', EMBEDDED_MODEL_NAME, 'model.safetensors'));
    const names = Object.keys(JSON.parse(header.subarray(8, 8 + Number(header.readBigUInt64LE(0))).toString('utf8')));
    expect(names).toContain((DEFAULT_SPEC.source as { tensor: string }).tensor);
  });
});

describe('recipeLabel', () => {
  it('labels the default "INT4 sym · block 64"', () => {
    expect(recipeLabel(DEFAULT_SPEC.recipe)).toBe('INT4 sym · block 64');
  });
  it('names per-tensor, per-row and per-column without a block size', () => {
    expect(recipeLabel(recipe(8, false, 'tensor'))).toBe('INT8 asym · per-tensor');
    expect(recipeLabel(recipe(3, true, 'row', 7))).toBe('INT3 sym · per-row');
    expect(recipeLabel(recipe(2, false, 'column'))).toBe('INT2 asym · per-column');
  });
  it('shows the block size for block granularity', () => {
    expect(recipeLabel(recipe(5, false, 'block', 128))).toBe('INT5 asym · block 128');
  });
});

describe('recipeLabel for registry formats', () => {
  it('names the format and the block it fixes, or the granularity it follows', () => {
    expect(recipeLabel({ format: { kind: 'format', id: 'mxfp4' }, granularity: { kind: 'tensor', blockSize: 64 } })).toBe('MXFP4 · block 32');
    expect(recipeLabel({ format: { kind: 'format', id: 'nf4' }, granularity: { kind: 'block', blockSize: 64 } })).toBe('NF4 · block 64');
    expect(recipeLabel({ format: { kind: 'format', id: 'fp8-e4m3' }, granularity: { kind: 'row', blockSize: 64 } })).toBe('FP8 E4M3 · per-row');
  });
});
