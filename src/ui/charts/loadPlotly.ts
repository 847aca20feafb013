// ui/charts: loads plotly.js on first use (a dynamic import, so it stays out of the initial bundle).
import type { PlotlyStatic } from 'plotly.js-basic-dist-min';

let loading: Promise<PlotlyStatic> | null = null;

/** Resolves to the Plotly API; a failed load is retried on the next call. */
export function loadPlotly(): Promise<PlotlyStatic> {
  loading ??= import('plotly.js-basic-dist-min').then(
    (m) => m.default,
    (e: unknown) => { loading = null; throw e; },
  );
  return loading;
}
