// tests: every preset is a valid recipe, ids are unique, and presetOf recognises a preset's recipe.
import { describe, expect, it } from 'vitest';
import { DEFAULT_SPEC } from '../../src/spec/defaults';
import { PRESETS, presetOf } from '../../src/spec/presets';
import { experimentSpecSchema } from '../../src/spec/schema';

describe('presets', () => {
  it('are valid recipes with unique ids', () => {
    for (const p of PRESETS) expect(() => experimentSpecSchema.parse({ ...DEFAULT_SPEC, recipe: p.recipe }), p.id).not.toThrow();
    expect(new Set(PRESETS.map((p) => p.id)).size).toBe(PRESETS.length);
  });
  it('presetOf finds the preset of an equal recipe and nothing for the default', () => {
    const nf4 = PRESETS.find((p) => p.id === 'bnb-nf4-dq')!;
    expect(presetOf(structuredClone(nf4.recipe))?.id).toBe('bnb-nf4-dq');
    expect(presetOf(DEFAULT_SPEC.recipe)).toBeUndefined();
    // MXFP4 fixes its block, so the granularity left over from another recipe does not matter
    expect(presetOf({ format: { kind: 'format', id: 'mxfp4' }, granularity: { kind: 'tensor', blockSize: 8 } })?.id).toBe('mxfp4');
    // NF4 follows the granularity: block 128 is not the bitsandbytes preset
    expect(presetOf({ format: { kind: 'format', id: 'nf4' }, granularity: { kind: 'block', blockSize: 128 } })).toBeUndefined();
  });
});
