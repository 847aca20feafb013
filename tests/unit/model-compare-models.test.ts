// tests (model layer): compareCpu (compareModels.ts) walks the perplexity windows and gathers the same terms as compareDistributions and perplexity on those windows, with progress and cancel.
import { describe, expect, it } from 'vitest';
import { compareDistributions } from '../../src/model/forward/compare';
import { compareCpu } from '../../src/model/forward/compareModels';
import { perplexity, type PerplexityOptions } from '../../src/model/forward/perplexity';
import { forwardLogits } from '../../src/model/forward/session';
import { perplexityWindows, windowRows } from '../../src/model/forward/windows';
import { mapModel, randomLlamaWeights, tinyLlamaConfig } from './forward-models';

describe('compareCpu', () => {
  const config = tinyLlamaConfig();
  const reference = mapModel(config, 'hf', randomLlamaWeights(config, 5));
  const test = mapModel(config, 'hf', randomLlamaWeights(config, 6)); // another model: large KL, some disagreement
  const tokens = [3, 8, 1, 10, 4, 4, 7, 2, 9, 0, 5, 6, 1];
  const vocab = config.vocabSize;

  it.each<PerplexityOptions>([{ context: 4, stride: 2, bos: null }, { context: 5, stride: 3, bos: 1 }])(
    'equals compareDistributions and perplexity on the same windows\' scored rows: %o', async (options) => {
      const rowsA: number[] = [], rowsB: number[] = [], targets: number[] = [];
      for (const w of perplexityWindows(tokens.length, options, config.maxPositions)) {
        const { input, targets: t } = windowRows(tokens, w, options.bos);
        const a = forwardLogits(reference, input), b = forwardLogits(test, input);
        t.forEach((id, r) => {
          if (id < 0) return;
          rowsA.push(...a.subarray(r * vocab, (r + 1) * vocab)); rowsB.push(...b.subarray(r * vocab, (r + 1) * vocab)); targets.push(id);
        });
      }
      const got = await compareCpu(reference, test, tokens, options);
      // Both sides compute each position with rowTerms on the same logits and sum in the same order: exact.
      expect(got.comparison).toEqual(compareDistributions(Float32Array.from(rowsA), Float32Array.from(rowsB), targets));
      expect(got.comparison.klMean).toBeGreaterThan(0);
      const [pa, pb] = [perplexity(reference, tokens, options), perplexity(test, tokens, options)];
      expect(got.reference).toEqual(pa);
      expect(got.test).toEqual(pb);
      // Unscored tokens (the first without BOS) are NaN in the per-token KL, exactly as in the NLLs.
      expect([...got.perTokenKl].map(Number.isNaN)).toEqual([...pa.perTokenNll].map(Number.isNaN));
      expect([...got.perTokenKl].filter((v) => !Number.isNaN(v)).length).toBe(targets.length);
    });

  it('reports progress after every window and stops with an AbortError when cancelled', async () => {
    const options = { context: 4, stride: 2, bos: null };
    const windows = perplexityWindows(tokens.length, options, config.maxPositions).length;
    const progress: number[] = [];
    await compareCpu(reference, test, tokens, options, { onProgress: (done, total) => { progress.push(done); expect(total).toBe(windows); } });
    expect(progress).toEqual(Array.from({ length: windows }, (_, i) => i + 1));
    const controller = new AbortController();
    const seen: number[] = [];
    const cancelled = compareCpu(reference, test, tokens, options, {
      signal: controller.signal, onProgress: (done) => { seen.push(done); if (done === 2) controller.abort(); },
    });
    await expect(cancelled).rejects.toThrow(/abort/i);
    expect(seen).toEqual([1, 2]);
  });
});
