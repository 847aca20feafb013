// ui/charts: Plotly figures of per-channel profiles (absmax or kurtosis along one axis, before/after a rotation) and of histograms overlaid on one axis (pure: no DOM, no plotly import).
import type { BarTrace, Layout, ScatterTrace, Trace } from 'plotly.js-basic-dist-min';
import { formatCount, formatShort } from '../format';
import { binEdges, chartLayout } from './figure';

/** One line of a profile: a value per channel, or the maximum over bins of `binSize` consecutive channels. */
export interface ProfileSeries {
  readonly name: string;
  readonly color: string;
  /** NaN: no finite value in that channel (a constant channel's kurtosis): a gap in the line. */
  readonly values: readonly number[];
  readonly binSize: number;
}

export interface ProfileInput {
  readonly series: readonly ProfileSeries[];
  /** What a channel is called in hovers: "column" (input channel) or "row" (output channel). */
  readonly channel: 'column' | 'row';
  readonly valueTitle: string;
  readonly logScale: boolean;
  /** A horizontal dashed line, e.g. the LLM.int8()-style outlier threshold. */
  readonly threshold?: { readonly value: number; readonly name: string };
}

type Figure = { data: Trace[]; layout: Partial<Layout> };

/** Channels [start, start + binSize) as a person reads them: "column 17" or "columns 16–31". */
function channelRange(channel: string, start: number, binSize: number, count: number): string {
  const end = Math.min(start + binSize, count) - 1;
  return end === start ? `${channel} ${formatCount(start)}` : `${channel}s ${formatCount(start)}–${formatCount(end)}`;
}

/** A line per series over the channel index (x = first channel of each bin), hovering with the channel range and value. */
export function profileFigure(p: ProfileInput): Figure {
  const count = Math.max(0, ...p.series.map((s) => s.values.length * s.binSize));
  const data: Trace[] = p.series.map((s): ScatterTrace => {
    const x = s.values.map((_, i) => i * s.binSize);
    const pooled = s.binSize > 1 ? 'max ' : '';
    return {
      type: 'scatter', mode: 'lines', name: s.name, x, y: s.values.map((v) => (Number.isFinite(v) ? v : NaN)),
      line: { color: s.color, width: 1.5 },
      text: s.values.map((v, i) => `${s.name}<br>${channelRange(p.channel, x[i], s.binSize, count)}: ${pooled}${formatShort(v, 3)}`),
      hovertemplate: '%{text}<extra></extra>',
    };
  });
  if (p.threshold) {
    data.push({
      type: 'scatter', mode: 'lines', name: p.threshold.name, x: [0, Math.max(0, count - 1)], y: [p.threshold.value, p.threshold.value],
      line: { color: '#333333', width: 1, dash: 'dash' },
      text: [`${p.threshold.name}: ${formatShort(p.threshold.value, 3)}`, `${p.threshold.name}: ${formatShort(p.threshold.value, 3)}`],
      hovertemplate: '%{text}<extra></extra>',
    });
  }
  const base = chartLayout(`${p.channel === 'column' ? 'input channel (column)' : 'output channel (row)'} index`, p.valueTitle, p.logScale);
  return {
    data,
    layout: {
      ...base,
      showlegend: data.length > 1,
      legend: { orientation: 'h', x: 1, xanchor: 'right', y: 1, yanchor: 'bottom', bgcolor: 'rgba(255,255,255,0.8)' },
      margin: { l: 60, r: 12, t: data.length > 1 ? 30 : 8, b: 50 },
      xaxis: { ...base.xaxis, range: [0, Math.max(1, count - 1)] },
    },
  };
}

/** One pre-binned histogram of an overlay. */
export interface OverlaySeries {
  readonly name: string;
  readonly color: string;
  readonly counts: readonly number[];
  readonly lo: number;
  readonly hi: number;
}

/** Histograms with different bins on one shared x axis, drawn over each other (translucent), with a legend. */
export function overlayHistogramFigure(series: readonly OverlaySeries[], xTitle: string, logScale: boolean): Figure {
  const data: BarTrace[] = series.map((s) => {
    const { left, width } = binEdges(s.lo, s.hi, s.counts.length);
    return {
      type: 'bar', name: s.name, x: left.map((l) => l + width / 2), y: [...s.counts], width, opacity: 0.6,
      marker: { color: s.color, line: { width: 0 } },
      text: left.map((l, i) => `${s.name}<br>[${formatShort(l, 4)}, ${formatShort(l + width, 4)})<br>${formatCount(s.counts[i])} weights`),
      textposition: 'none', hovertemplate: '%{text}<extra></extra>',
    };
  });
  const lo = Math.min(...series.map((s) => s.lo)), hi = Math.max(...series.map((s) => s.hi));
  const base = chartLayout(xTitle, 'count', logScale);
  return {
    data,
    layout: {
      ...base,
      barmode: 'overlay',
      showlegend: true,
      legend: { orientation: 'h', x: 1, xanchor: 'right', y: 1, yanchor: 'bottom', bgcolor: 'rgba(255,255,255,0.8)' },
      margin: { l: 60, r: 12, t: 26, b: 50 },
      xaxis: { ...base.xaxis, range: [lo, hi > lo ? hi : lo + 1] },
    },
  };
}
