// ui/charts: the one palette (Okabe-Ito, colour-blind safe) for original, dequantized, error and rotated weights everywhere.
export const COLORS = {
  original: '#0072B2',
  dequantized: '#E69F00',
  error: '#D55E00',
  levels: '#333333',
  /** Weights after a transform (the Hadamard-rotated W'). */
  rotated: '#009E73',
} as const;
