// tests: the embedded model on the WebGPU forward pass: logits equal torch's reference, and GPU and CPU evaluations (perplexity, KL) agree for fp32 and quantized recipes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateRecipe } from '../../src/engine/evaluate';
import { modelPair } from '../../src/engine/modelPair';
import type { GpuRuntime } from '../../src/gpu/runtime';
import { createGpuModel } from '../../src/model/gpu';
import type { LoadedModel } from '../../src/model/load';
import { intFormat } from '../../src/spec/defaults';
import type { Recipe } from '../../src/spec/schema';
import { embeddedEvalText, loadEmbeddedModel, torchReference } from '../support/embeddedModel';
import { createTestRuntime, destroyRuntime } from './harness';

let rt: GpuRuntime;
let model: LoadedModel;
beforeAll(async () => { [rt, model] = await Promise.all([createTestRuntime(), loadEmbeddedModel()]); });
afterAll(() => destroyRuntime(rt));

/** max |a − b| over max |b|: the "within 1e-4 relative" for logits (fp32 in both). */
function relativeError(a: Float32Array, b: Float32Array): number {
  let worst = 0, scale = 0;
  for (let i = 0; i < b.length; i++) {
    worst = Math.max(worst, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return worst / scale;
}

describe('lowbit-tiny-llama on WebGPU', () => {
  it('gives torch\'s fp32 logits for every reference prompt (relative 1e-4)', async () => {
    const { ref, logits } = torchReference();
    const { full } = await modelPair(model, { format: intFormat(8, 'sym'), granularity: { kind: 'block', blockSize: 32 } });
    const gpu = createGpuModel(rt, full);
    try {
      for (const [i, p] of ref.prompts.entries()) {
        const err = relativeError(await gpu.forward(p.ids), logits(i));
        expect(err, `prompt ${i} "${p.text}"`).toBeLessThan(1e-4);
      }
    } finally {
      gpu.destroy();
    }
  });

  const recipes: [string, Recipe][] = [
    ['INT4 block 32', { format: intFormat(4, 'sym'), granularity: { kind: 'block', blockSize: 32 } }],
    ['INT3 asym per-row', { format: intFormat(3, 'asym'), granularity: { kind: 'row', blockSize: 64 } }],
    ['NF4 block 64', { format: { kind: 'format', id: 'nf4' }, granularity: { kind: 'block', blockSize: 64 } }],
    ['MXFP4', { format: { kind: 'format', id: 'mxfp4' }, granularity: { kind: 'block', blockSize: 32 } }],
    ['Q4_0', { format: { kind: 'format', id: 'q4_0' }, granularity: { kind: 'block', blockSize: 32 } }],
  ];
  for (const [what, recipe] of recipes) {
    it(`evaluates ${what} like the CPU reference: perplexities within 1e-4 relative, same KL`, async () => {
      const settings = { text: embeddedEvalText(), textLabel: 'eval.txt', maxTokens: 96, context: 64, stride: 32 };
      const none = () => false;
      const [gpu, cpu] = [
        await evaluateRecipe(model, recipe, settings, rt, () => {}, none),
        await evaluateRecipe(model, recipe, settings, null, () => {}, none),
      ];
      expect(gpu.backend).toBe('webgpu');
      expect(Math.abs(gpu.pplFull / cpu.pplFull - 1)).toBeLessThan(1e-4);
      expect(Math.abs(gpu.pplQuantized / cpu.pplQuantized - 1)).toBeLessThan(1e-4);
      // GPU KL is summed in f32 (within ~1e-6 nats of the f64 value per position)
      expect(Math.abs(gpu.comparison.klMean - cpu.comparison.klMean)).toBeLessThan(1e-5);
      expect(gpu.comparison.top1Agreement).toBe(cpu.comparison.top1Agreement);
      expect(gpu.pplQuantized).toBeGreaterThan(gpu.pplFull * 0.98); // quantizing does not make it much better by accident
    });
  }
});
