// ui/charts: builds the Plotly bar figure of one pre-binned histogram (pure: no DOM, no plotly import).
import type { BarTrace, Layout, LineShape } from 'plotly.js-basic-dist-min';
import { formatCount, formatShort } from '../format';
import { COLORS } from './colors';

/** One histogram as the engine bins it: `counts.length` equal bins over [lo, hi]. */
export interface HistogramInput {
  readonly counts: readonly number[];
  readonly lo: number;
  readonly hi: number;
  readonly color: string;
  readonly xTitle: string;
  readonly logScale: boolean;
  /** Values drawn as thin vertical lines (quantization levels). */
  readonly levels?: readonly number[];
}

/** Bin edges [lo + i·w, lo + (i+1)·w); a degenerate range (all values equal) gets unit width. */
export function binEdges(lo: number, hi: number, bins: number): { left: number[]; width: number } {
  const width = hi > lo ? (hi - lo) / bins : 1 / bins;
  return { left: Array.from({ length: bins }, (_, i) => lo + i * width), width };
}

/** Level lines fade when there are many (8-bit has 255), so the bars stay readable. */
function levelShapes(levels: readonly number[]): LineShape[] {
  const opacity = levels.length <= 32 ? 0.7 : levels.length <= 64 ? 0.4 : 0.2;
  return levels.map((v) => ({
    type: 'line', xref: 'x', yref: 'paper', x0: v, x1: v, y0: 0, y1: 1,
    line: { color: COLORS.levels, width: 1 }, opacity, layer: 'above',
  }));
}

/** The layout every chart shares: transparent background, grid, fonts, axis titles; a log y axis with one label per decade. */
export function chartLayout(xTitle: string, yTitle: string, logScale: boolean): Partial<Layout> & Pick<Layout, 'xaxis' | 'yaxis'> {
  return {
    autosize: true,
    margin: { l: 60, r: 12, t: 8, b: 50 },
    bargap: 0,
    showlegend: false,
    hovermode: 'closest',
    paper_bgcolor: 'rgba(0,0,0,0)',
    plot_bgcolor: 'rgba(0,0,0,0)',
    font: { family: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif', size: 12, color: '#1f2937' },
    hoverlabel: { bgcolor: '#111827', font: { color: '#ffffff' } },
    xaxis: { title: { text: xTitle }, gridcolor: '#e5e7eb', zeroline: false, linecolor: '#9ca3af', ticks: 'outside' },
    yaxis: {
      title: { text: logScale ? `${yTitle} (log)` : yTitle, standoff: 6 }, type: logScale ? 'log' : 'linear',
      autorange: true, gridcolor: '#e5e7eb', zeroline: false, exponentformat: 'SI',
      // one label per decade: plotly's default 2 and 5 minor labels crowd a short log axis
      ...(logScale ? { dtick: 1 } : {}),
    },
    shapes: [],
  };
}

export function histogramFigure(h: HistogramInput): { data: BarTrace[]; layout: Partial<Layout> } {
  const { left, width } = binEdges(h.lo, h.hi, h.counts.length);
  const text = left.map((l, i) =>
    `[${formatShort(l, 4)}, ${formatShort(l + width, 4)})<br>${formatCount(h.counts[i])} weights`);
  const data: BarTrace[] = [{
    type: 'bar', x: left.map((l) => l + width / 2), y: [...h.counts], width,
    marker: { color: h.color, line: { width: 0 } },
    text, textposition: 'none', hovertemplate: '%{text}<extra></extra>',
  }];
  const base = chartLayout(h.xTitle, 'count', h.logScale);
  const layout: Partial<Layout> = {
    ...base,
    xaxis: { ...base.xaxis, range: [left[0], left[0] + width * h.counts.length] },
    shapes: h.levels ? levelShapes(h.levels) : [],
  };
  return { data, layout };
}
