// tests (ui layer): the Outliers view's figures (channel profiles, overlaid histograms) and the words of the transform step.
import { describe, expect, it } from 'vitest';
import type { ResultMetrics, TransformOutcome } from '../../src/engine/types';
import { channelProfile, outlierAnatomy } from '../../src/quant/transforms/anatomy';
import { overlayHistogramFigure, profileFigure } from '../../src/ui/charts/profileFigure';
import { anatomySentence, gainSentence, int8Sentence, profileSummary, seedSpreadSentence, transformFacts } from '../../src/ui/transformWords';

describe('profileFigure', () => {
  const fig = profileFigure({
    series: [{ name: 'original', color: '#0072B2', values: [0.1, 0.5, NaN], binSize: 4 }],
    channel: 'column', valueTitle: 'largest |w|', logScale: false, threshold: { value: 0.3, name: 'threshold' },
  });
  it('puts each pooled point at the first channel of its bin and hovers with the channel range', () => {
    const [line] = fig.data;
    expect(line.x).toEqual([0, 4, 8]);
    expect(line.text?.[1]).toBe('original<br>columns 4–7: max 0.5');
    expect(fig.layout.xaxis?.range).toEqual([0, 11]);
  });
  it('leaves a gap for a channel without a finite value, and draws the threshold across all channels', () => {
    expect(Number.isNaN(fig.data[0].y[2])).toBe(true);
    expect(fig.data[1]).toMatchObject({ x: [0, 11], y: [0.3, 0.3], line: { dash: 'dash' } });
    expect(fig.layout.showlegend).toBe(true);
  });
  it('names single channels without a range', () => {
    const one = profileFigure({ series: [{ name: 'r', color: '#000', values: [2, 3], binSize: 1 }], channel: 'row', valueTitle: 'kurtosis', logScale: true });
    expect(one.data[0].text?.[1]).toBe('r<br>row 1: 3');
    expect(one.layout.yaxis?.type).toBe('log');
    expect(one.layout.showlegend).toBe(false);
  });
});

describe('overlayHistogramFigure', () => {
  it('keeps each histogram\'s own bins and spans both ranges on one axis', () => {
    const fig = overlayHistogramFigure([
      { name: 'before', color: '#1', counts: [1, 2], lo: -1, hi: 1 },
      { name: 'after', color: '#2', counts: [3, 4, 5, 6], lo: -0.5, hi: 0.5 },
    ], 'weight value', true);
    expect(fig.data.map((d) => d.x)).toEqual([[-0.5, 0.5], [-0.375, -0.125, 0.125, 0.375]]);
    expect(fig.layout.xaxis?.range).toEqual([-1, 1]);
    expect(fig.layout.barmode).toBe('overlay');
  });
});

const metrics = (sqnrDb: number, bitsPerWeight: number) => ({ sqnrDb, bitsPerWeight } as ResultMetrics);

describe('transform words', () => {
  it('says the gain against the format alone with its sign, in dB to one decimal and bits to three', () => {
    expect(gainSentence(metrics(17.84, 4.5000305), metrics(12.31, 4.5)))
      .toBe('SQNR 17.8 dB against 12.3 dB for the format alone (+5.5 dB), at 4.500 against 4.500 bits per weight.');
    expect(gainSentence(metrics(10, 4), metrics(12.5, 4))).toContain('(−2.5 dB)');
  });

  it('summarises the seed spread', () => {
    expect(seedSpreadSentence([{ seed: 3, mse: 1.02, sqnrDb: 17.213 }, { seed: 4, mse: 1, sqnrDb: 17.5 }]))
      .toBe('Over sign seeds 3, 4 the SQNR runs from 17.21 to 17.50 dB (0.29 dB apart; MSE within 2.0 %), measured in the rotated basis.');
  });

  it('describes an anatomy: one outlier column among Gaussian-like weights', () => {
    const rows = 64, cols = 32;
    const w = Float32Array.from({ length: rows * cols }, (_, i) => ((i * 7919) % 101 - 50) / 1000 * (i % cols === 5 ? 10 : 1));
    const a = outlierAnatomy(w, rows, cols);
    expect(int8Sentence(a)).toMatch(/^1 of 32 input columns \(3\.1 %\) reach the LLM\.int8\(\)-style threshold \(.*6 × the median column's largest \|w\|\); keeping them in 16-bit would add /);
    expect(anatomySentence(a)).toMatch(/The largest input column's absmax is 10\.\d × the median column's: a few channels set the range/);
    expect(profileSummary('largest |w|', 'column', a.colAbsmax)).toMatch(/^largest \|w\| of 32 columns: median .*Largest: column 5 \(/);
  });

  it('names what each method did', () => {
    const base = { label: 'x', baseline: metrics(1, 4), baseBitsPerWeight: 4, extraBitsPerWeight: 0, gpuSteps: [] };
    const retention = { ...base, method: 'retention', step: { method: 'retention', params: { axis: 'column', select: { kind: 'top', count: 2 } } }, info: { kept: 2, indices: [3, 9], positions: 'indices' } } as TransformOutcome;
    expect(transformFacts(retention, 64, 32)).toEqual(['2 of 32 input columns kept in fp16 (positions stored as indices): 3, 9.']);
    const lowrank = { ...base, method: 'lowrank', step: { method: 'lowrank', params: { rank: 2 } }, info: { rank: 2, singularValues: [3.25, 1.5], energy: 0.4567 } } as TransformOutcome;
    expect(transformFacts(lowrank, 64, 32)).toEqual(['Rank 2 keeps 45.7 % of W\'s energy in fp16; largest singular values 3.25, 1.5.']);
    const hadamard = { ...base, method: 'hadamard', step: { method: 'hadamard', params: { seed: 1 } }, info: { block: 768, order: 12 }, rotation: { seed: 1 } } as unknown as TransformOutcome;
    expect(transformFacts(hadamard, 8, 768)[0]).toMatch(/^Rotates each whole row of 768 weights \(a Hadamard matrix of order 12 ⊗ a 64-point fast Walsh–Hadamard transform, random signs from seed 1\)/);
  });

  it('channelProfile feeds the summary the largest channels in order', () => {
    const p = channelProfile([1, 5, 3], 10);
    expect(profileSummary('kurtosis', 'row', p)).toBe('kurtosis of 3 rows: median 3, maximum 5. Largest: row 1 (5), row 2 (3), row 0 (1).');
  });
});
