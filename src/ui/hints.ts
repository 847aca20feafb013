// ui: the one-line explanations shown next to each control on hover or focus, with their sources.
import type { Distribution, Granularity } from '../spec/schema';

export const HINTS = {
  distribution: 'Shape of the synthetic weights (std 0.02, like a trained layer).',
  seed: 'Seed of the random generator: the same seed always gives the same tensor.',
  newSeed: 'Draw another tensor from the same distribution.',
  outliers: 'Input channels (whole columns) scaled up, like the outlier features of LLM.int8().',
  outlierScale: 'How many times larger the outlier channels are than the other weights.',
  intFormat: 'Integer round-to-nearest: a uniform grid per group, symmetric (absmax) or with a zero point (GPTQ).',
  bits: 'Bits per code: 2ᵇ levels per group (2ᵇ − 1 when symmetric).',
  symmetric: 'absmax scale, zero maps to zero, codes ±(2^(b-1)−1)',
  asymmetric: 'min/max range with an integer zero point (GPTQ)',
  blockSize: 'Weights per block: smaller blocks fit the data better but store more scales (32 bits each).',
  logScale: 'Log count axis: shows the tails, where the few large weights and errors live.',
} as const;

export const DISTRIBUTION_HINTS: Record<Distribution, string> = {
  gaussian: 'Gaussian: the bell curve most trained weight matrices resemble.',
  laplace: 'Laplace: a sharper peak and heavier tails than Gaussian.',
  'student-t': 'Student-t (ν = 3): heavy tails, occasional very large weights.',
  uniform: 'Uniform: no tails at all; the easy case for integer grids.',
};

export const GRANULARITY_LABELS: Record<Granularity['kind'], string> = {
  tensor: 'per-tensor', row: 'per-row', column: 'per-column', block: 'per-block',
};

export const GRANULARITY_HINTS: Record<Granularity['kind'], string> = {
  tensor: 'one scale for every weight in the tensor',
  row: 'one scale per row (output channel)',
  column: 'one scale per column (input channel)',
  block: 'one scale per block of consecutive weights along a row, as in GPTQ groups and llama.cpp blocks',
};
