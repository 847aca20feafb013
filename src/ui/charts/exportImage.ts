// ui/charts: saving the drawn charts as PNG or SVG files with plotly's downloadImage.
import { loadPlotly } from './loadPlotly';

declare module 'plotly.js-basic-dist-min' {
  interface PlotlyStatic {
    /** Renders the figure in `root` to an image and starts a download named `filename.<format>`. */
    downloadImage(root: HTMLElement, options: { format: 'png' | 'svg'; filename: string; width?: number; height?: number; scale?: number }): Promise<string>;
  }
}

export type ChartImageFormat = 'png' | 'svg';

/**
 * Downloads every drawn chart under `root` (chart cards are `[data-testid^="chart-"]` with a
 * `.chart-plot` plotly has drawn into) as `<prefix>-<chart>.<format>`, at twice the on-screen
 * size for PNG. Resolves to the number of files started.
 */
export async function downloadCharts(root: ParentNode, format: ChartImageFormat, prefix: string): Promise<number> {
  const plotly = await loadPlotly();
  let count = 0;
  for (const card of root.querySelectorAll<HTMLElement>('[data-testid^="chart-"]')) {
    const plot = card.querySelector<HTMLElement>('.chart-plot');
    if (!plot?.querySelector('.main-svg')) continue;
    const name = card.dataset.testid?.replace(/^chart-/, '') ?? 'chart';
    const { width, height } = plot.getBoundingClientRect();
    await plotly.downloadImage(plot, { format, filename: `${prefix}-${name}`, width: Math.round(width), height: Math.round(height), scale: format === 'png' ? 2 : 1 });
    count++;
  }
  return count;
}
