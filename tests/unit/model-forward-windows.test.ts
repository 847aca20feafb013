// tests (model layer): the perplexity window plan (windows.ts) and the KL summary from per-position terms (compareRows.ts) against the CPU reference functions they serve.
import { describe, expect, it } from 'vitest';
import { createRng, normal } from '../../src/lib/rng';
import { compareDistributions } from '../../src/model/forward/compare';
import { summarizePositions } from '../../src/model/forward/compareRows';
import { argmax, logSoftmax } from '../../src/model/forward/ops';
import { perplexity, type PerplexityOptions } from '../../src/model/forward/perplexity';
import { forwardLogits } from '../../src/model/forward/session';
import { perplexityWindows, windowRows } from '../../src/model/forward/windows';
import { mapModel, randomLlamaWeights, tinyLlamaConfig } from './forward-models';

describe('perplexityWindows and windowRows', () => {
  const config = tinyLlamaConfig();
  const model = mapModel(config, 'hf', randomLlamaWeights(config, 5));
  const tokens = [3, 8, 1, 10, 4, 4, 7, 2, 9, 0, 5];

  const cases: PerplexityOptions[] = [
    { context: 4, stride: 2, bos: null }, { context: 4, stride: 2, bos: 1 }, { context: 3, stride: 3, bos: null },
    { context: 5, stride: 1, bos: 1 }, { context: 32, stride: 7, bos: null }, { context: 2, stride: 1, bos: 1 },
  ];
  it.each(cases)('feeding each window and scoring its targets reproduces perplexity() exactly: %o', (options) => {
    const want = perplexity(model, tokens, options);
    const perToken = new Float32Array(tokens.length).fill(NaN);
    let sum = 0, count = 0;
    for (const w of perplexityWindows(tokens.length, options, config.maxPositions)) {
      const { input, targets } = windowRows(tokens, w, options.bos);
      expect(input.length).toBeLessThanOrEqual(options.context);
      const logits = forwardLogits(model, input);
      targets.forEach((id, row) => {
        if (id < 0) return;
        const i = w.begin + row + 1 - (options.bos === null ? 0 : 1);
        expect(tokens[i]).toBe(id);
        expect(Number.isNaN(perToken[i]), `token ${i} scored twice`).toBe(true);
        const nll = -logSoftmax(logits, row * config.vocabSize, config.vocabSize)[id];
        perToken[i] = nll;
        sum += nll;
        count++;
      });
    }
    expect(count).toBe(want.tokens);
    expect(perToken).toEqual(want.perTokenNll);
    expect(sum / count).toBe(want.nll);
  });

  it('refuses what perplexity() refuses, with the same messages', () => {
    for (const options of [{ context: 4, stride: 4, bos: 1 }, { context: 33, stride: 1, bos: null }, { context: 1, stride: 1, bos: null }]) {
      let message = '';
      try { perplexity(model, tokens, options); } catch (e) { message = (e as Error).message; }
      expect(message).not.toBe('');
      expect(() => perplexityWindows(tokens.length, options, config.maxPositions)).toThrow(message);
    }
  });
});

describe('summarizePositions', () => {
  it('per-position KL, top-1 and NLL terms summarize to compareDistributions of the logits', () => {
    const rand = createRng(17);
    const positions = 40, vocab = 23;
    const a = Float32Array.from({ length: positions * vocab }, () => 2 * normal(rand));
    const b = Float32Array.from(a, (v) => v + 0.3 * normal(rand));
    const targets = Array.from({ length: positions }, () => Math.floor(rand() * vocab));
    const kl: number[] = [], top1A: number[] = [], top1B: number[] = [], nllA: number[] = [], nllB: number[] = [];
    for (let t = 0; t < positions; t++) {
      const la = logSoftmax(a, t * vocab, vocab), lb = logSoftmax(b, t * vocab, vocab);
      kl.push(la.reduce((s, x, v) => s + Math.exp(x) * (x - lb[v]), 0));
      top1A.push(argmax(la)); top1B.push(argmax(lb));
      nllA.push(-la[targets[t]]); nllB.push(-lb[targets[t]]);
    }
    const got = summarizePositions({ kl, top1A, top1B, nllA, nllB });
    const want = compareDistributions(a, b, targets);
    expect(got.positions).toBe(want.positions);
    expect(got.top1Agreement).toBe(want.top1Agreement);
    expect(got.top1Agreement).toBeLessThan(1); // the noise flips some top tokens
    for (const key of ['klMean', 'meanDeltaP', 'meanAbsDeltaP', 'rmsDeltaP', 'nllA', 'nllB'] as const) {
      expect(got[key]).toBeCloseTo(want[key], 12);
    }
    for (const key of ['p50', 'p90', 'p95', 'p99', 'p999', 'max'] as const) {
      expect(got.klPercentiles[key]).toBeCloseTo(want.klPercentiles[key], 12);
    }
  });

  it('refuses terms of different lengths', () => {
    expect(() => summarizePositions({ kl: [0, 0], top1A: [1, 1], top1B: [1], nllA: [0, 0], nllB: [0, 0] })).toThrow(/same number/);
  });
});
