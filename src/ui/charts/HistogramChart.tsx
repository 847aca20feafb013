// ui/charts: one pre-binned histogram as a Plotly bar chart in a captioned card (PlotCard), with a text summary for screen readers.
import { useMemo } from 'react';
import { histogramFigure, type HistogramInput } from './figure';
import { PlotCard } from './PlotCard';

interface HistogramChartProps extends HistogramInput {
  /** data-testid of the card; its data-state is loading | ready | error. */
  readonly testId: string;
  readonly title: string;
  /** Visible line under the chart (e.g. which group the level lines belong to). */
  readonly caption?: string;
  /** Key numbers in words, for screen readers. */
  readonly summary: string;
}

export function HistogramChart(p: HistogramChartProps) {
  const { counts, lo, hi, color, xTitle, logScale, levels } = p;
  const figure = useMemo(
    () => histogramFigure({ counts, lo, hi, color, xTitle, logScale, levels }),
    [counts, lo, hi, color, xTitle, logScale, levels],
  );
  return <PlotCard testId={p.testId} title={p.title} color={color} figure={figure} caption={p.caption} summary={p.summary} />;
}
