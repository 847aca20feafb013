// tests: the spec's list of registry format ids is exactly the registry's, so every format can be linked.
import { expect, it } from 'vitest';
import { FORMATS } from '../../src/quant/formats/registry';
import { REGISTRY_FORMAT_IDS } from '../../src/spec/schema';

it('lists every registry format id, and only those', () => {
  expect([...REGISTRY_FORMAT_IDS].sort()).toEqual(FORMATS.map((d) => d.id).sort());
});
