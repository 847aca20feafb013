// tests: the spec's list of registry format ids is exactly the registry's, so every format can be linked.
import { expect, it } from 'vitest';
import { FORMATS } from '../../src/quant/formats/registry';
import { REGISTRY_FORMAT_IDS } from '../../src/spec/schema';

it('lists every registry format id, and only those', () => {
  expect([...REGISTRY_FORMAT_IDS].sort()).toEqual(FORMATS.map((d) => d.id).sort());
});

it('lists the same formats with scale storage and element options as the quantizer, and validates like it', async () => {
  const { ELEMENT_OPTION_FORMATS, SCALE_OPTION_FORMATS, formatOptionsProblem } = await import('../../src/quant/apply');
  const { ELEMENT_OPTION_FORMAT_IDS, SCALE_OPTION_FORMAT_IDS, registryFormatSchema } = await import('../../src/spec/schema');
  expect([...SCALE_OPTION_FORMAT_IDS]).toEqual(SCALE_OPTION_FORMATS);
  expect([...ELEMENT_OPTION_FORMAT_IDS]).toEqual(ELEMENT_OPTION_FORMATS);
  const optionSets = [
    {}, { scale: 'fp16' }, { scale: 'bf16' }, { rounding: 'stochastic', seed: 5 }, { rounding: 'nearest' },
    { clip: { kind: 'percentile', p: 99.9 } }, { seed: 1 }, { clip: { kind: 'none' } },
  ] as const;
  for (const d of FORMATS) {
    for (const options of optionSets) {
      const ok = registryFormatSchema.safeParse({ kind: 'format', id: d.id, ...options }).success;
      expect(ok, `${d.id} ${JSON.stringify(options)}`).toBe(formatOptionsProblem(d.id, options) === null);
    }
  }
});
