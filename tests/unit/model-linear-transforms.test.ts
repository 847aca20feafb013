// tests (model layer): transforms executed in the CPU forward pass (rotation, kept columns/rows, low-rank branch, permutation) compute the same linear map as applyTransform's dequantized weights, per layer and through the embedded model; the engine honours recipe.transform.
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluateRecipe, generatePair, sensitivitySweep } from '../../src/engine/evaluate';
import { modelPair, quantizedVariant } from '../../src/engine/modelPair';
import { createRng, normal, studentT } from '../../src/lib/rng';
import { greedyGenerate } from '../../src/model/forward/generate';
import { layerRotation, planLinear } from '../../src/model/forward/linearPlan';
import { executeLinear } from '../../src/model/forward/linearTransforms';
import { matVec } from '../../src/model/forward/ops';
import { forwardLogits } from '../../src/model/forward/session';
import type { ForwardModel } from '../../src/model/forward/weights';
import type { LoadedModel } from '../../src/model/load';
import { applyTransform, type TransformSpec } from '../../src/quant/transforms/registry';
import type { Recipe } from '../../src/spec/schema';
import { embeddedEvalText, loadEmbeddedModel } from '../support/embeddedModel';
import { EXECUTED, INT3, LOGIT_RANGE_TOLERANCE, quantize, rangeError, simulated } from '../support/linearTransformCases';
import { loadTinyGpt2 } from '../support/tinyGpt2';

/** Tests that run whole-model CPU passes: seconds on a shared machine, so beyond vitest's default 5 s. */
const SLOW = 30_000;

/** Heavy-tailed [n, k] weights with a few outlier input channels (what the methods are for). */
function weights(n: number, k: number, seed: number): Float32Array {
  const rand = createRng(seed);
  const outliers = new Set([3, 17, k - 5]);
  return Float32Array.from({ length: n * k }, (_, i) => studentT(rand, 4) * 0.02 * (outliers.has(i % k) ? 12 : 1));
}

/** Σ_c |a_rc · x_c| per row (f64): the scale every rounding error of row r is measured against. */
function magnitudes(a: Float32Array, x: Float32Array, n: number, k: number): Float64Array {
  return Float64Array.from({ length: n }, (_, r) => {
    let s = 0;
    for (let c = 0; c < k; c++) s += Math.abs(a[r * k + c] * x[c]);
    return s;
  });
}

describe('one linear layer: executed transform = applyTransform\'s x̂ · x', () => {
  const n = 48, k = 96;
  const w = weights(n, k, 1);
  const rand = createRng(2);
  const x = Float32Array.from({ length: k }, () => normal(rand));

  for (const [what, spec] of EXECUTED) {
    it(what, () => {
      const plan = planLinear(spec, w, n, k, quantize);
      expect(plan.mode).toBe('executed');
      if (plan.mode !== 'executed' || !plan.execution) throw new Error('expected an execution');
      const stored = quantize(plan.base, n, k);
      const y = executeLinear(plan.execution, x, (v) => matVec(stored, v, n, k));
      const reference = applyTransform(spec, w, n, k, quantize);
      const want = matVec(reference.xhat, x, n, k);
      // The two differ only by f32 roundings: of the rotated input (≤ log2 P + K + 1 roundings of
      // 2^-24 relative each: ≤ 20 · 6e-8 ≈ 1.2e-6), of x̂ and of the low-rank or kept-column branch
      // outputs (one each). 1e-5 of Σ|x̂_rc x_c| (plus Σ|W x| for the branches' cancellation) keeps
      // a 5x margin; the quantization error a missing step would leave is 1e-2 of it and more.
      const scale = magnitudes(reference.xhat, x, n, k), wScale = magnitudes(w, x, n, k);
      for (let r = 0; r < n; r++) expect(Math.abs(y[r] - want[r]), `output ${r}`).toBeLessThanOrEqual(1e-5 * (scale[r] + wScale[r]));
      expect(plan.bits).toBe(reference.baseBits + reference.extraBits);
    });
  }

  it('the rotation is what makes the rotated weights right: without x\' = R·x the outputs are far off', () => {
    const plan = planLinear({ method: 'hadamard', params: { seed: 7 } }, w, n, k, quantize);
    if (plan.mode !== 'executed') throw new Error('expected an execution');
    const wrong = matVec(quantize(plan.base, n, k), x, n, k);
    const right = matVec(applyTransform({ method: 'hadamard', params: { seed: 7 } }, w, n, k, quantize).xhat, x, n, k);
    const worst = Math.max(...right.map((v, r) => Math.abs(v - wrong[r])));
    expect(worst).toBeGreaterThan(0.1 * Math.max(...right.map(Math.abs)));
  });

  it('element retention, SplitQuant, clip search and VQ are simulated with applyTransform\'s x̂', () => {
    const specs: TransformSpec[] = [
      { method: 'retention', params: { axis: 'element', select: { kind: 'top', count: 20 } } },
      { method: 'splitquant', params: { iterations: 3 } },
      { method: 'clip-search', params: {} },
      { method: 'vq', params: { dim: 2, bits: 4, iterations: 3 } },
    ];
    for (const spec of specs) {
      const plan = planLinear(spec, w, n, k, quantize);
      const reference = applyTransform(spec, w, n, k, quantize);
      expect(plan.mode, spec.method).toBe('simulated');
      if (plan.mode === 'simulated') expect(plan.xhat, spec.method).toEqual(reference.xhat);
      expect(plan.bits, spec.method).toBe(reference.baseBits + reference.extraBits);
    }
  });

  it('clamps kept channels and ranks to the layer; nothing kept, rank 0 or the identity order is a plain product', () => {
    const wide = planLinear({ method: 'retention', params: { axis: 'row', select: { kind: 'top', count: 1000 } } }, w, n, k, quantize);
    expect(wide.mode === 'executed' && wide.execution?.kind === 'rows' && wide.execution.rows.length).toBe(n);
    const rank = planLinear({ method: 'lowrank', params: { rank: 500 } }, w, n, k, quantize);
    expect(rank.mode === 'executed' && rank.execution?.kind === 'lowrank' && rank.execution.rank).toBe(n);
    const plainSpecs: TransformSpec[] = [
      { method: 'lowrank', params: { rank: 0 } },
      { method: 'reorder', params: { by: 'identity' } },
      { method: 'retention', params: { axis: 'column', select: { kind: 'top', count: 0 } } },
      { method: 'retention', params: { axis: 'row', select: { kind: 'threshold', value: 1e6 } } },
    ];
    for (const spec of plainSpecs) {
      const plan = planLinear(spec, w, n, k, quantize);
      expect(plan.mode === 'executed' && plan.execution, spec.method).toBe(null);
      expect(plan.bits).toBe(quantize.bits(n, k));
      expect(plan.mode === 'executed' && quantize(plan.base, n, k)).toEqual(applyTransform(spec, w, n, k, quantize).xhat);
    }
  });
});

describe('the rotation of a layer\'s input dimension', () => {
  it('is the whole input by default, the recipe\'s block when it divides the input, else the largest supported common block', () => {
    expect(layerRotation(384, {}).block).toBe(384); // 12 · 32: Paley order 12
    expect(layerRotation(384, { block: 64 }).block).toBe(64);
    expect(layerRotation(384, { block: 256 }).block).toBe(128); // gcd 128
    expect(layerRotation(128, { block: 256 }).block).toBe(128);
    // 184 = 8 · 23: orders 23, 46, 92 and 184 have no construction here; 8 is the largest supported divisor
    expect(layerRotation(184, {}).block).toBe(8);
    expect(layerRotation(128, {}).seed).toBe(0);
    expect(layerRotation(128, { seed: null }).seed).toBe(null);
  });
});

describe('a bare GPT-2 checkpoint (Conv1D [in, out] weights, fused q/k/v, biases) with transforms, on the CPU', () => {
  for (const [what, spec] of EXECUTED) {
    it(`${what}: executed logits equal the simulated pass's`, async () => {
      const loaded = await loadTinyGpt2();
      const { full, ...variant } = await modelPair(loaded, { ...INT3, transform: spec });
      expect(variant.quantizedTensors).toBe(8);
      const tokens = [1, 7, 19, 0, 3, 63, 12, 40];
      expect(rangeError(forwardLogits(variant.quantized, tokens), forwardLogits(simulated(loaded, full, spec), tokens))).toBeLessThanOrEqual(LOGIT_RANGE_TOLERANCE);
    }, SLOW);
  }
});

describe('the embedded model with transforms, on the CPU', () => {
  let loaded: LoadedModel;
  let full: ForwardModel;
  beforeAll(async () => {
    loaded = await loadEmbeddedModel();
    full = (await modelPair(loaded, INT3)).full;
  });
  const tokens = [4095, 12, 345, 67, 890, 1234, 56, 7, 2048, 99, 100, 3000, 17, 42, 8, 500];

  for (const [what, spec] of EXECUTED) {
    it(`${what}: executed logits equal the simulated pass's, and differ from the plain quantized pass`, () => {
      const variant = quantizedVariant(loaded, full, { ...INT3, transform: spec });
      expect(variant.transformExecution).toBe('executed');
      const got = forwardLogits(variant.quantized, tokens);
      expect(rangeError(got, forwardLogits(simulated(loaded, full, spec), tokens))).toBeLessThanOrEqual(LOGIT_RANGE_TOLERANCE);
      // without its execution the stored weights alone give other logits: the steps around the product matter
      const storedOnly: ForwardModel = { config: full.config, naming: full.naming, weight: (name) => variant.quantized.weight(name) };
      expect(rangeError(forwardLogits(storedOnly, tokens), got)).toBeGreaterThan(100 * LOGIT_RANGE_TOLERANCE);
    }, SLOW);
  }

  const lowRank: Recipe = { ...INT3, transform: { method: 'lowrank', params: { rank: 4 } } };

  it('evaluateRecipe reports an executed Hadamard pass, its seed in the bits, and no accidental gain over fp32', async () => {
    const settings = { text: embeddedEvalText(), textLabel: 'eval.txt', maxTokens: 64, context: 32, stride: 16 };
    const recipe: Recipe = { ...INT3, transform: { method: 'hadamard', params: { seed: 3 } } };
    const [rotated, plain] = [
      await evaluateRecipe(loaded, recipe, settings, null, () => {}, () => false),
      await evaluateRecipe(loaded, INT3, settings, null, () => {}, () => false),
    ];
    expect(rotated.protocol.transformExecution).toBe('executed');
    expect(rotated.protocol.transformDetail).toContain('the whole 128 inputs');
    expect(rotated.protocol.transformDetail).toContain('the whole 384 inputs');
    expect(plain.protocol.transformExecution).toBe('none');
    // 28 tensors, one 32-bit seed each, over all their weights
    const { quantizedParams } = rotated.protocol;
    expect(rotated.protocol.bitsPerWeight * quantizedParams).toBeCloseTo(plain.protocol.bitsPerWeight * quantizedParams + 28 * 32, 3);
    expect(rotated.pplFull).toBe(plain.pplFull);
    expect(rotated.pplQuantized).not.toBe(plain.pplQuantized);
    expect(rotated.pplQuantized).toBeGreaterThan(rotated.pplFull * 0.98); // a transform does not beat fp32 beyond noise
  }, SLOW);

  it('a sensitivity sweep runs the transform in every row', async () => {
    const settings = { text: embeddedEvalText(), textLabel: 'eval.txt', maxTokens: 32, context: 32, stride: 16 };
    const [withTransform, without] = [
      await sensitivitySweep(loaded, lowRank, settings, 'layer', null, () => {}, () => false),
      await sensitivitySweep(loaded, INT3, settings, 'layer', null, () => {}, () => false),
    ];
    expect(withTransform.transformExecution).toBe('executed');
    expect(without.transformExecution).toBe('none');
    expect(withTransform.rows.length).toBe(4);
    withTransform.rows.forEach((row, i) => expect(row.klMean, row.label).not.toBe(without.rows[i].klMean));
  }, SLOW);

  it('generation runs the executed pass; VQ reports itself simulated', async () => {
    const generated = await generatePair(loaded, lowRank, { prompt: 'Once upon a time', steps: 6, temperature: 0, topP: 1, seed: 0 }, null);
    const tokenizer = await loaded.tokenizer();
    if (!tokenizer) throw new Error('the embedded model has a tokenizer');
    const prompt = tokenizer.encode('Once upon a time');
    const executed = quantizedVariant(loaded, full, lowRank).quantized;
    expect(generated.quantized).toBe(tokenizer.decode(greedyGenerate(executed, prompt, 6, tokenizer.eosId === null ? [] : [tokenizer.eosId])));
    const vq = quantizedVariant(loaded, full, { ...INT3, transform: { method: 'vq', params: { dim: 2, bits: 4, iterations: 2 } } });
    expect(vq.transformExecution).toBe('simulated');
    expect(vq.transformDetail).toContain('dequantized');
  }, SLOW);
});
