// ui/charts: any Plotly figure in a captioned card (the Outliers view's profiles and overlays), with a text summary for screen readers.
import type { Layout, Trace } from 'plotly.js-basic-dist-min';
import { type CSSProperties, useEffect, useRef, useState } from 'react';
import { loadPlotly } from './loadPlotly';

interface PlotCardProps {
  /** data-testid of the card; its data-state is loading | ready | error. */
  readonly testId: string;
  readonly title: string;
  /** Colour of the title's swatch (the main series). */
  readonly color: string;
  /** The figure; memoise it (a new object redraws the chart). */
  readonly figure: { readonly data: Trace[]; readonly layout: Partial<Layout> };
  /** Visible line under the chart. */
  readonly caption?: string;
  /** Key numbers in words, for screen readers. */
  readonly summary: string;
}

// Sizing follows the card through a ResizeObserver (plotly's `responsive` only watches the window).
const CONFIG = { responsive: false, displayModeBar: false, displaylogo: false };

export function PlotCard({ testId, title, color, figure, caption, summary }: PlotCardProps) {
  const plotRef = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<'loading' | 'ready' | 'error'>('loading');
  const [loadError, setLoadError] = useState('');

  useEffect(() => {
    const el = plotRef.current;
    if (!el) return;
    let live = true;
    loadPlotly()
      .then((plotly) => (live ? plotly.react(el, figure.data, figure.layout, CONFIG) : null))
      .then(() => { if (live) setState('ready'); })
      .catch((e: unknown) => {
        if (!live) return;
        setLoadError(e instanceof Error ? e.message : String(e));
        setState('error');
      });
    return () => { live = false; };
  }, [figure]);

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
    <figure className="chart" data-testid={testId} data-state={state} style={{ '--swatch': color } as CSSProperties}>
      <h3 className="chart-title"><span className="swatch" aria-hidden="true" />{title}</h3>
      <div className="chart-body">
        <div className="chart-plot" ref={plotRef} aria-hidden="true" />
        {state === 'loading' && <p className="chart-placeholder">Loading chart…</p>}
      </div>
      {state === 'error' && (
        <p className="chart-error" role="alert">
          The chart library failed to load ({loadError}). Reload the page to try again; the numbers above are correct.
        </p>
      )}
      {caption && <p className="chart-caption">{caption}</p>}
      <figcaption className="sr-only">{summary}</figcaption>
    </figure>
  );
}
