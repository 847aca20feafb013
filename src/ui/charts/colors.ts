// ui/charts: the one palette (Okabe-Ito, colour-blind safe) for original, dequantized and error everywhere.
export const COLORS = {
  original: '#0072B2',
  dequantized: '#E69F00',
  error: '#D55E00',
  levels: '#333333',
} as const;
