// tests: recipe transforms executed in the WebGPU forward pass (Hadamard on the input, fp16 columns and rows, low-rank branch, permutation) give the CPU reference's logits, equal the simulated pass, and evaluate like the CPU.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateRecipe } from '../../src/engine/evaluate';
import { modelPair, quantizedVariant } from '../../src/engine/modelPair';
import type { GpuRuntime } from '../../src/gpu/runtime';
import { forwardLogits } from '../../src/model/forward/session';
import type { ForwardModel } from '../../src/model/forward/weights';
import { createGpuModel, denseLinear, type GpuModel, type LinearPacker } from '../../src/model/gpu';
import type { LoadedModel } from '../../src/model/load';
import type { Recipe } from '../../src/spec/schema';
import { embeddedEvalText, loadEmbeddedModel } from '../support/embeddedModel';
import { EXECUTED, INT3, LOGIT_RANGE_TOLERANCE, rangeError, simulated } from '../support/linearTransformCases';
import { loadTinyGpt2 } from '../support/tinyGpt2';
import { createTestRuntime, destroyRuntime } from './harness';

// LOGIT_RANGE_TOLERANCE (1e-5 of the logit range) is tests/gpu/forward.test.ts's bar for GPU against
// CPU logits. The transforms add f32 steps the CPU takes too (the rotation is bit-identical on both
// sides for the same input; gathers and splits move bits), plus one more f32 matmul and one f32 add
// per branch, so the same bar holds; a missing or misplaced step moves logits by 1e-2 of the range.

let rt: GpuRuntime;
let loaded: LoadedModel;
let full: ForwardModel;
beforeAll(async () => {
  [rt, loaded] = await Promise.all([createTestRuntime(), loadEmbeddedModel()]);
  full = (await modelPair(loaded, INT3)).full;
});
afterAll(() => destroyRuntime(rt));

const TOKENS = [4095, 12, 345, 67, 890, 1234, 56, 7, 2048, 99, 100, 3000, 17, 42, 8, 500, 77, 1500, 2, 4000];

async function withGpu<T>(model: ForwardModel, packer: LinearPacker, body: (m: GpuModel) => Promise<T>, maxChunk?: number): Promise<T> {
  const gpu = createGpuModel(rt, model, packer, { label: 'transforms', maxChunk });
  try {
    return await body(gpu);
  } finally {
    gpu.destroy();
  }
}

describe('the embedded model with a transform on WebGPU', () => {
  for (const [what, spec] of EXECUTED) {
    it(`${what}: GPU logits equal the CPU reference's, in chunks of 8 tokens`, async () => {
      const variant = quantizedVariant(loaded, full, { ...INT3, transform: spec });
      const gpu = await withGpu(full, variant.packer, (m) => m.forward(TOKENS), 8);
      const error = rangeError(gpu, forwardLogits(variant.quantized, TOKENS));
      console.log(`${what}: GPU vs CPU ${error.toExponential(2)} of the logit range`);
      expect(error).toBeLessThanOrEqual(LOGIT_RANGE_TOLERANCE);
    });
  }

  it('the executed Hadamard pass equals the simulated pass with weights Q(W·Rᵀ)·R, also from the CPU pass\'s model, and not the stored weights alone', async () => {
    const spec = EXECUTED[0][1];
    const variant = quantizedVariant(loaded, full, { ...INT3, transform: spec });
    const gpu = await withGpu(full, variant.packer, (m) => m.forward(TOKENS));
    expect(rangeError(gpu, forwardLogits(simulated(loaded, full, spec), TOKENS))).toBeLessThanOrEqual(LOGIT_RANGE_TOLERANCE);
    // the CPU pass's model itself (dequantized Q(W·Rᵀ) in f32, the rotation it declares) runs the same on the GPU
    const declared = await withGpu(variant.quantized, denseLinear, (m) => m.forward(TOKENS));
    expect(rangeError(declared, gpu)).toBeLessThanOrEqual(LOGIT_RANGE_TOLERANCE);
    // the same packed weights without the rotation of the input
    const unrotated: LinearPacker = (name, w, n, k) => ({ ...variant.packer(name, w, n, k), execution: null });
    const wrong = await withGpu(full, unrotated, (m) => m.forward(TOKENS));
    expect(rangeError(wrong, gpu)).toBeGreaterThan(100 * LOGIT_RANGE_TOLERANCE);
  });

  it('a session fed one token at a time (the matvec path) gives the same logits with kept columns, kept rows and a low-rank branch', async () => {
    const cpuRows = (m: ForwardModel) => forwardLogits(m, TOKENS.slice(0, 6));
    for (const [, spec] of EXECUTED.filter(([, s]) => s.method === 'retention' || s.method === 'lowrank').slice(0, 3)) {
      const variant = quantizedVariant(loaded, full, { ...INT3, transform: spec });
      const steps = await withGpu(full, variant.packer, async (m) => {
        const session = m.createSession(16);
        try {
          const out: Float32Array[] = [];
          for (const token of TOKENS.slice(0, 6)) out.push(await session.step(token));
          return out;
        } finally {
          session.destroy();
        }
      });
      const joined = new Float32Array(steps.length * steps[0].length);
      steps.forEach((row, i) => joined.set(row, i * row.length));
      expect(rangeError(joined, cpuRows(variant.quantized)), spec.method).toBeLessThanOrEqual(LOGIT_RANGE_TOLERANCE);
    }
  });

  it('evaluateRecipe with a transform: GPU and CPU agree, the protocol says executed, and fp32 is not beaten beyond noise', async () => {
    const settings = { text: embeddedEvalText(), textLabel: 'eval.txt', maxTokens: 96, context: 64, stride: 32 };
    for (const spec of [EXECUTED[0][1], EXECUTED[2][1]]) {
      const recipe: Recipe = { ...INT3, transform: spec };
      const [gpu, cpu] = [
        await evaluateRecipe(loaded, recipe, settings, rt, () => {}, () => false),
        await evaluateRecipe(loaded, recipe, settings, null, () => {}, () => false),
      ];
      expect(gpu.backend).toBe('webgpu');
      expect(gpu.protocol.transformExecution).toBe('executed');
      expect(gpu.protocol).toEqual(cpu.protocol);
      // as tests/gpu/forward-embedded.test.ts: perplexities within 1e-4 relative, f32 KL within 1e-5 nats
      expect(Math.abs(gpu.pplQuantized / cpu.pplQuantized - 1), spec.method).toBeLessThan(1e-4);
      expect(Math.abs(gpu.comparison.klMean - cpu.comparison.klMean), spec.method).toBeLessThan(1e-5);
      expect(gpu.comparison.top1Agreement).toBe(cpu.comparison.top1Agreement);
      expect(gpu.pplQuantized, spec.method).toBeGreaterThan(gpu.pplFull * 0.98);
    }
  });
});

describe('a bare GPT-2 checkpoint (Conv1D weights, fused q/k/v, biases) with a transform on WebGPU', () => {
  it('gives the CPU reference\'s logits for every executed transform', async () => {
    const gpt2 = await loadTinyGpt2();
    const { full: gpt2Full } = await modelPair(gpt2, INT3);
    const tokens = [1, 7, 19, 0, 3, 63, 12, 40, 5, 9];
    for (const [what, spec] of EXECUTED) {
      const variant = quantizedVariant(gpt2, gpt2Full, { ...INT3, transform: spec });
      const gpu = await withGpu(gpt2Full, variant.packer, (m) => m.forward(tokens));
      expect(rangeError(gpu, forwardLogits(variant.quantized, tokens)), what).toBeLessThanOrEqual(LOGIT_RANGE_TOLERANCE);
    }
  });
});
