// ui/charts: one pre-binned histogram as a Plotly bar chart in a captioned card, with a text summary for screen readers.
import { type CSSProperties, useEffect, useRef, useState } from 'react';
import { histogramFigure, type HistogramInput } from './figure';
import { loadPlotly } from './loadPlotly';

interface HistogramChartProps extends HistogramInput {
  /** data-testid of the card; its data-state is loading | ready | error. */
  readonly testId: string;
  readonly title: string;
  /** Visible line under the chart (e.g. which group the level lines belong to). */
  readonly caption?: string;
  /** Key numbers in words, for screen readers. */
  readonly summary: string;
}

// Sizing follows the card through a ResizeObserver (plotly's `responsive` only watches the window).
const CONFIG = { responsive: false, displayModeBar: false, displaylogo: false };

export function HistogramChart(p: HistogramChartProps) {
  const { counts, lo, hi, color, xTitle, logScale, levels } = p;
  const plotRef = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<'loading' | 'ready' | 'error'>('loading');
  const [loadError, setLoadError] = useState('');

  useEffect(() => {
    const el = plotRef.current;
    if (!el) return;
    let live = true;
    const { data, layout } = histogramFigure({ counts, lo, hi, color, xTitle, logScale, levels });
    loadPlotly()
      .then((plotly) => (live ? plotly.react(el, data, layout, CONFIG) : null))
      .then(() => { if (live) setState('ready'); })
      .catch((e: unknown) => {
        if (!live) return;
        setLoadError(e instanceof Error ? e.message : String(e));
        setState('error');
      });
    return () => { live = false; };
  }, [counts, lo, hi, color, xTitle, logScale, levels]);

  useEffect(() => {
    const el = plotRef.current;
    if (!el) return;
    const observer = new ResizeObserver(() => {
      if (el.querySelector('.main-svg')) void loadPlotly().then((plotly) => plotly.Plots.resize(el));
    });
    observer.observe(el);
    return () => {
      observer.disconnect();
      loadPlotly().then((plotly) => plotly.purge(el), () => {});
    };
  }, []);

  return (
    <figure className="chart" data-testid={p.testId} data-state={state} style={{ '--swatch': color } as CSSProperties}>
      <h3 className="chart-title"><span className="swatch" aria-hidden="true" />{p.title}</h3>
      <div className="chart-body">
        <div className="chart-plot" ref={plotRef} aria-hidden="true" />
        {state === 'loading' && <p className="chart-placeholder">Loading chart…</p>}
      </div>
      {state === 'error' && (
        <p className="chart-error" role="alert">
          The chart library failed to load ({loadError}). Reload the page to try again; the numbers above are correct.
        </p>
      )}
      {p.caption && <p className="chart-caption">{p.caption}</p>}
      <figcaption className="sr-only">{p.summary}</figcaption>
    </figure>
  );
}
