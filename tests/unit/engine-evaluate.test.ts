// tests (engine layer): evaluating a recipe on the embedded model with the CPU reference pass: torch's perplexity, the protocol, harder quantization never looks better, per-token view, generation.
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluateRecipe, generatePair, sensitivitySweep } from '../../src/engine/evaluate';
import { modelPair } from '../../src/engine/modelPair';
import { perplexity } from '../../src/model/forward/perplexity';
import type { LoadedModel } from '../../src/model/load';
import { intFormat } from '../../src/spec/defaults';
import type { Recipe } from '../../src/spec/schema';
import { embeddedEvalText, loadEmbeddedModel, torchReference } from '../support/embeddedModel';

const recipe = (bits: number): Recipe => ({ format: intFormat(bits, 'sym'), granularity: { kind: 'block', blockSize: 32 } });
const settings = { text: '', textLabel: 'eval.txt', maxTokens: 160, context: 64, stride: 32 };

describe('evaluating the embedded model on the CPU', () => {
  let model: LoadedModel;
  beforeAll(async () => { model = await loadEmbeddedModel(); });

  it('reproduces torch\'s sliding-window perplexity of the reference slice (relative 1e-4)', async () => {
    const { ref } = torchReference();
    const { full } = await modelPair(model, recipe(8));
    const p = ref.perplexity;
    const ours = perplexity(full, p.ids, { context: p.context, stride: p.stride, bos: null });
    expect(ours.tokens).toBe(p.token_count);
    // f32 forward passes in two implementations: 1e-4 relative on the mean NLL is the bar
    expect(Math.abs(ours.nll - p.mean_nll) / p.mean_nll).toBeLessThan(1e-4);
  });

  it('reports the protocol, and 2-bit RTN is worse than 8-bit, which is within 1% of full precision', async () => {
    const text = embeddedEvalText();
    const noCancel = () => false;
    const [r8, r2] = [
      await evaluateRecipe(model, recipe(8), { ...settings, text }, null, () => {}, noCancel),
      await evaluateRecipe(model, recipe(2), { ...settings, text }, null, () => {}, noCancel),
    ];
    expect(r8.protocol).toMatchObject({ tokens: 160, context: 64, stride: 32, bos: true, quantizedTensors: 28 });
    expect(r8.protocol.scored).toBe(160); // with BOS every text token is scored once
    expect(r8.protocol.bitsPerWeight).toBe(8 + 32 / 32); // INT8 + an f32 scale per 32
    expect(r2.pplFull).toBe(r8.pplFull); // the same full-precision pass
    expect(r2.pplQuantized).toBeGreaterThan(r8.pplQuantized);
    expect(r2.comparison.klMean).toBeGreaterThan(10 * r8.comparison.klMean);
    expect(Math.abs(r8.pplQuantized / r8.pplFull - 1)).toBeLessThan(0.01);
    expect(r8.comparison.top1Agreement).toBeGreaterThan(r2.comparison.top1Agreement);
    expect(r8.comparison.klPercentiles.p99).toBeGreaterThanOrEqual(r8.comparison.klPercentiles.p50);
    // per-token view: every text token, its loss change the difference of the two passes' NLLs
    expect(r2.perToken).toHaveLength(160);
    const mean = r2.perToken.reduce((a, t) => a + (t.deltaNll ?? 0), 0) / 160;
    expect(mean).toBeCloseTo(Math.log(r2.pplQuantized) - Math.log(r2.pplFull), 6); // per-token NLLs are stored in f32
  });

  it('stops at a cancel between windows', async () => {
    let windows = 0;
    const run = evaluateRecipe(model, recipe(4), { ...settings, text: embeddedEvalText() }, null, (_f, stage) => { if (stage.startsWith('window')) windows++; }, () => windows >= 2);
    await expect(run).rejects.toMatchObject({ name: 'CancelledError' });
  });

  it('continues a prompt with both models; 8-bit greedy text equals full precision on a short continuation', async () => {
    const g = await generatePair(model, recipe(8), { prompt: 'The Congress of the United States', steps: 8, temperature: 0, topP: 1, seed: 0 }, null);
    expect(g.full.length).toBeGreaterThan(0);
    expect(g.quantized).toBe(g.full);
    const { ref } = torchReference();
    expect(g.promptTokens).toBe(ref.prompts[0].ids.length); // BOS + the prompt, as torch encoded it
  });
});

describe('per-layer sensitivity on the CPU', () => {
  let model: LoadedModel;
  beforeAll(async () => { model = await loadEmbeddedModel(); });
  const small = { text: '', textLabel: 'eval.txt', maxTokens: 96, context: 48, stride: 24 };

  it('sweeps each block and each projection type; keeping the most sensitive block in full precision lowers the KL', async () => {
    const text = embeddedEvalText();
    const none = () => false;
    const byLayer = await sensitivitySweep(model, recipe(2), { ...small, text }, 'layer', null, () => {}, none);
    expect(byLayer.rows.map((r) => r.label)).toEqual(['block 0', 'block 1', 'block 2', 'block 3']);
    expect(byLayer.rows.every((r) => r.klMean > 0 && r.params === 196608)).toBe(true); // 7 projections of one block
    const byType = await sensitivitySweep(model, recipe(2), { ...small, text }, 'type', null, () => {}, none);
    expect(byType.rows.map((r) => r.role)).toEqual(['attn-q', 'attn-k', 'attn-v', 'attn-o', 'mlp-gate', 'mlp-up', 'mlp-down']);
    const worst = [...byLayer.rows].sort((a, b) => b.klMean - a.klMean)[0].layer as number;
    const [all, kept] = [
      await evaluateRecipe(model, recipe(2), { ...small, text }, null, () => {}, none),
      await evaluateRecipe(model, recipe(2), { ...small, text, keepLayers: [worst] }, null, () => {}, none),
    ];
    expect(kept.protocol.keptLayers).toEqual([worst]);
    expect(kept.protocol.quantizedTensors).toBe(all.protocol.quantizedTensors - 7);
    expect(kept.comparison.klMean).toBeLessThan(all.comparison.klMean);
  }, 60_000); // 13 small CPU passes
});
