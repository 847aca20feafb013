// ui/charts: the small part of plotly.js that lowbit uses, typed (the dist bundle ships no types).
declare module 'plotly.js-basic-dist-min' {
  export interface BarTrace {
    type: 'bar';
    x: number[];
    y: number[];
    width: number;
    marker: { color: string; line?: { width: number } };
    text: string[];
    textposition: 'none';
    hovertemplate: string;
    name?: string;
    opacity?: number;
  }

  /** A line (per-channel profiles, thresholds). */
  export interface ScatterTrace {
    type: 'scatter';
    mode: 'lines' | 'markers' | 'lines+markers';
    x: number[];
    y: number[];
    name: string;
    line: { color: string; width: number; dash?: 'solid' | 'dash' | 'dot' };
    text?: string[];
    hovertemplate: string;
  }

  export type Trace = BarTrace | ScatterTrace;

  export interface Axis {
    title: { text: string; standoff?: number };
    type?: 'linear' | 'log';
    range?: [number, number];
    autorange?: boolean;
    /** Tick spacing; on a log axis 1 means one tick per decade. */
    dtick?: number;
    fixedrange?: boolean;
    gridcolor?: string;
    zeroline?: boolean;
    linecolor?: string;
    ticks?: '' | 'outside';
    exponentformat?: 'none' | 'e' | 'power' | 'SI' | 'B';
  }

  export interface LineShape {
    type: 'line';
    xref: 'x';
    yref: 'paper';
    x0: number;
    x1: number;
    y0: number;
    y1: number;
    line: { color: string; width: number };
    opacity?: number;
    layer?: 'above' | 'below';
  }

  export interface Layout {
    xaxis: Axis;
    yaxis: Axis;
    shapes: LineShape[];
    margin: { l: number; r: number; t: number; b: number };
    bargap: number;
    showlegend: boolean;
    hovermode: 'closest' | 'x';
    paper_bgcolor: string;
    plot_bgcolor: string;
    font: { family: string; size: number; color: string };
    hoverlabel: { bgcolor: string; font: { color: string } };
    autosize: boolean;
    /** How bar traces share an x position: drawn over each other, or side by side. */
    barmode: 'overlay' | 'group';
    legend: { orientation: 'h' | 'v'; x: number; y: number; xanchor?: 'left' | 'right'; yanchor?: 'top' | 'bottom'; bgcolor?: string };
  }

  export interface Config {
    responsive: boolean;
    displayModeBar: boolean;
    displaylogo: boolean;
  }

  export interface PlotlyStatic {
    react(root: HTMLElement, data: Trace[], layout: Partial<Layout>, config?: Partial<Config>): Promise<HTMLElement>;
    purge(root: HTMLElement): void;
    Plots: { resize(root: HTMLElement): Promise<void> };
  }

  const Plotly: PlotlyStatic;
  export default Plotly;
}
