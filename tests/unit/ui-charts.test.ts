// tests (ui layer): the pre-binned bar figure and the charts' text summaries.
import { describe, expect, it } from 'vitest';
import { binEdges, histogramFigure } from '../../src/ui/charts/figure';
import { histogramSummary, levelsSummary } from '../../src/ui/charts/summary';

describe('histogramFigure', () => {
  const counts = [1, 5, 2, 0];
  const fig = histogramFigure({ counts, lo: -1, hi: 1, color: '#0072B2', xTitle: 'weight value', logScale: true, levels: [-0.5, 0, 0.5] });

  it('draws bars at bin centres with the bin width (no re-binning)', () => {
    const [bar] = fig.data;
    expect(bar.type).toBe('bar');
    expect(bar.x).toEqual([-0.75, -0.25, 0.25, 0.75]);
    expect(bar.width).toBe(0.5);
    expect(bar.y).toEqual(counts);
    expect(fig.layout.xaxis?.range).toEqual([-1, 1]);
  });
  it('hovers with the exact bin range and count', () => {
    expect(fig.data[0].text[1]).toBe('[−0.5, 0)<br>5 weights');
  });
  it('draws levels as thin vertical lines and honours the log toggle', () => {
    expect(fig.layout.shapes?.map((s) => s.x0)).toEqual([-0.5, 0, 0.5]);
    expect(fig.layout.shapes?.every((s) => s.line.width === 1 && s.yref === 'paper')).toBe(true);
    expect(fig.layout.yaxis?.type).toBe('log');
  });
  it('survives a degenerate range', () => {
    expect(binEdges(2, 2, 4).width).toBeGreaterThan(0);
  });
});

describe('summaries', () => {
  it('names the total, range and fullest bin', () => {
    expect(histogramSummary('errors', [1, 5, 2, 0], -1, 1))
      .toBe('8 errors in 4 bins from −1 to 1; the fullest bin, [−0.5, 0), holds 5.');
  });
  it('names the levels and where they come from', () => {
    expect(levelsSummary([-0.25, 0, 0.25], 'row 3')).toBe('3 quantization levels of row 3, from −0.25 to 0.25.');
  });
});
