// ui: the one-line explanations shown next to each control on hover or focus, with their sources.
import type { Distribution, Granularity } from '../spec/schema';

export const HINTS = {
  sourceModel: 'A weight tensor of a real model: ours (built in), one from the Hugging Face Hub, or your own files.',
  sourceSynthetic: 'A generated matrix with a chosen distribution and injected outlier channels.',
  tensor: 'The tensor the recipe quantizes. The Model tab lists them all with shapes and sizes.',
  hubRepo: 'A Hugging Face repo id, "owner/name"; the weights must be safetensors (or name a .gguf file).',
  hubRevision: 'Branch, tag or commit of the repo.',
  hubToken: 'For gated or private repos: a Hugging Face access token. Kept in this tab\'s memory only: never stored, never in links.',
  hubGguf: 'Leave empty for safetensors weights; name a .gguf file of the repo to read that instead.',
  hubHost: 'Where the hub is: https://huggingface.co, or a mirror serving the same /{repo}/resolve/{revision}/{file} layout.',
  evalText: 'Any text in the model\'s language; at most the number of tokens below is scored.',
  evalTokens: 'How many tokens of the text are scored (more is steadier and slower).',
  evalContext: 'Tokens per window: each window is one forward pass; at most the model\'s context length.',
  evalStride: 'How far each window moves: tokens are scored once, with at least context − stride tokens before them (Hugging Face\'s sliding-window protocol).',
  prompt: 'Both models continue this text.',
  genSteps: 'How many tokens each model adds.',
  temperature: '0 picks the most likely token (greedy); above 0 samples, with the seed, from the top 95 % of the probability mass.',
  genSeed: 'Seed of the sampling: the same seed gives the same text.',
  localFiles: 'A .gguf file, or config.json + *.safetensors + tokenizer.json of one model. Nothing is uploaded: files are read in this tab.',
  distribution: 'Shape of the synthetic weights (std 0.02, like a trained layer).',
  seed: 'Seed of the random generator: the same seed always gives the same tensor.',
  newSeed: 'Draw another tensor from the same distribution.',
  outliers: 'Input channels (whole columns) scaled up, like the outlier features of LLM.int8().',
  outlierScale: 'How many times larger the outlier channels are than the other weights.',
  userCodebook: 'Levels you type, scaled by each group\'s absmax (or used as raw values); each weight goes to the nearest level.',
  codebookLevels: 'Comma- or space-separated numbers, 2 to 256 distinct values, e.g. -1, -0.5, 0, 0.5, 1.',
  intFormat: 'Integer round-to-nearest: a uniform grid per group, symmetric (absmax) or with a zero point (GPTQ).',
  bits: 'Bits per code: 2ᵇ levels per group (2ᵇ − 1 for absmax symmetric).',
  scaleEncoding: 'How each group\'s scale is stored: fewer bits per scale, slightly coarser scales (E8M0 rounds up to a power of two).',
  roundingSeed: 'Seed of the stochastic rounding noise: the same seed gives the same codes on CPU and GPU.',
  clipPercentile: 'Clip |x| at this percentile of the whole tensor before quantizing (nearest rank).',
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

export const INT_MODE_OPTIONS = [
  { mode: 'sym', label: 'Symmetric (absmax)', hint: 'absmax scale, zero maps to zero, codes ±(2^(b-1)−1)' },
  { mode: 'sym-full', label: 'Symmetric, full range', hint: 'scale 2·absmax/(2^b−1), codes −2^(b-1)…2^(b-1)−1 (GPTQ sym, torchao symmetric)' },
  { mode: 'asym', label: 'Asymmetric (GPTQ)', hint: 'min/max range with an integer zero point (GPTQ quant.py)' },
  { mode: 'asym-float', label: 'Asymmetric, float zero (HQQ)', hint: 'min/max land exactly on the grid: the zero point is a float (HQQ)' },
] as const;

export const SCALE_ENCODING_LABELS = {
  fp32: 'fp32 (32 bits)', fp16: 'fp16 (16 bits)', bf16: 'bf16 (16 bits)', e4m3: 'FP8 E4M3 (8 bits)', e8m0: 'E8M0 power of two (8 bits)',
} as const;

export const ROUNDING_HINTS = {
  nearest: 'Round to the nearest level, ties to even (as WGSL round()).',
  stochastic: 'Round up with probability equal to the distance: unbiased on average, noisier per weight.',
} as const;

export const CLIP_HINTS = {
  none: 'No clipping: the range is the group\'s min/max (or absmax).',
  percentile: 'Clip the tensor at a percentile of |x|: outliers saturate, everything else gets finer steps.',
  mse: 'Per group, try ratios 1.00…0.50 of the range and keep the one with the least squared error (OmniQuant-style clipping by grid search).',
} as const;

/** Definitions of the metrics panel's numbers (tooltips); formulas as in src/quant/metrics.ts. */
export const METRIC_HINTS = {
  mse: 'Mean squared error: Σ (x − x̂)² / n.',
  rmse: 'Root mean squared error: √MSE, in the units of the weights.',
  sqnr: 'Signal-to-quantization-noise ratio: 10·log10(Σ x² / Σ (x − x̂)²) dB; +6 dB per extra bit on a uniform grid.',
  maxerr: 'Largest |x − x̂| of any single weight.',
  p99: 'p99 |error| (upper bound, within max/4096): the upper edge of the bin, of 4096 equal bins on [0, max |error|], where the count first reaches the nearest rank ⌈0.99·n⌉.',
  p999: 'p99.9 |error| (upper bound, within max/4096): the upper edge of the bin, of 4096 equal bins on [0, max |error|], where the count first reaches the nearest rank ⌈0.999·n⌉.',
  cosine: 'Cosine similarity of x and x̂ as vectors: Σ x·x̂ / (‖x‖·‖x̂‖). 1 − cos is computed directly, so its digits survive near 1.',
  relFrobenius: 'Relative Frobenius error: ‖x − x̂‖ / ‖x‖ = √(Σ (x − x̂)² / Σ x²).',
  kurtosis: 'Kurtosis of the input (Pearson, not excess): n·Σ (x − μ)⁴ / (Σ (x − μ)²)². Gaussian 3, uniform 1.8, Laplace 6; excess = kurtosis − 3. Heavy tails (high kurtosis) stretch absmax grids.',
  bpw: 'Bits per weight, counting codes plus every scale, zero point and block scale.',
  storage: 'Bytes of packed codes plus scales and zero points.',
  groups: 'Groups that share one scale (and zero point).',
} as const;
