// model: numeric building blocks of the CPU reference forward pass (matrix-vector products, norms, RoPE, softmax, activations).
//
// Storage is f32 (Float32Array); sums run in f64 (JavaScript numbers) and are rounded once when
// stored, so the reference is at least as accurate as an f32 GPU kernel and easy to compare with.

/**
 * y = W x (+ bias) for W row-major [rows = out, cols = in] (nn.Linear layout). The inner loop
 * walks one row of W contiguously. Returns Float32Array [rows].
 */
export function matVec(w: Float32Array, x: Float32Array, rows: number, cols: number, bias: Float32Array | null = null): Float32Array {
  const y = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let acc = 0;
    for (let c = 0; c < cols; c++) acc += w[base + c] * x[c];
    y[r] = bias ? acc + bias[r] : acc;
  }
  return y;
}

/**
 * y = x W (+ bias) for W row-major [rows = in, cols = out] (GPT-2 Conv1D layout). Accumulates
 * in a Float64Array so the inner loop still walks W contiguously. Returns Float32Array [cols].
 */
export function vecMat(x: Float32Array, w: Float32Array, rows: number, cols: number, bias: Float32Array | null = null): Float32Array {
  const acc = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    const xr = x[r];
    if (xr === 0) continue;
    const base = r * cols;
    for (let c = 0; c < cols; c++) acc[c] += xr * w[base + c];
  }
  const y = new Float32Array(cols);
  for (let c = 0; c < cols; c++) y[c] = bias ? acc[c] + bias[c] : acc[c];
  return y;
}

/** RMSNorm (Zhang & Sennrich 2019, as in Llama): x / sqrt(mean(x^2) + eps) * weight. */
export function rmsNorm(x: Float32Array, weight: Float32Array, eps: number): Float32Array {
  let ss = 0;
  for (let i = 0; i < x.length; i++) ss += x[i] * x[i];
  const inv = 1 / Math.sqrt(ss / x.length + eps);
  const y = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) y[i] = x[i] * inv * weight[i];
  return y;
}

/** LayerNorm (Ba et al. 2016): (x - mean) / sqrt(var + eps) * weight + bias, with the population variance. */
export function layerNorm(x: Float32Array, weight: Float32Array, bias: Float32Array, eps: number): Float32Array {
  const n = x.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += x[i];
  const mean = sum / n;
  let sq = 0;
  for (let i = 0; i < n; i++) sq += (x[i] - mean) ** 2;
  const inv = 1 / Math.sqrt(sq / n + eps);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) y[i] = (x[i] - mean) * inv * weight[i] + bias[i];
  return y;
}

/**
 * Rotary position embedding (Su et al. 2021, RoFormer) in place on `heads` consecutive heads of
 * `headDim` values at position `pos`. Pair j (0 <= j < rotaryDim / 2) turns by the angle
 * pos * theta^(-2j / rotaryDim). 'interleaved' pairs (2j, 2j + 1) (Meta, llama2.c, GGUF llama);
 * 'half' pairs (j, j + rotaryDim / 2) (HF `rotate_half`, GPT-NeoX). Dimensions past rotaryDim
 * pass through (Pythia's partial rotary).
 */
export function applyRope(
  v: Float32Array, heads: number, headDim: number, rotaryDim: number, pos: number, theta: number, style: 'half' | 'interleaved',
): void {
  const halfDim = rotaryDim / 2;
  for (let j = 0; j < halfDim; j++) {
    const angle = pos * theta ** (-2 * j / rotaryDim);
    const cos = Math.cos(angle), sin = Math.sin(angle);
    const [a, b] = style === 'interleaved' ? [2 * j, 2 * j + 1] : [j, j + halfDim];
    for (let h = 0; h < heads; h++) {
      const base = h * headDim;
      const x = v[base + a], y = v[base + b];
      v[base + a] = x * cos - y * sin;
      v[base + b] = x * sin + y * cos;
    }
  }
}

/** Largest element of x[start, start + n). */
function maxOf(x: ArrayLike<number>, start: number, n: number): number {
  let m = -Infinity;
  for (let i = start; i < start + n; i++) if (x[i] > m) m = x[i];
  return m;
}

/**
 * log softmax of x[start, start + n) (default: all of x) in f64, stable by subtracting the max.
 * Returns Float64Array [n].
 */
export function logSoftmax(x: ArrayLike<number>, start = 0, n = x.length - start): Float64Array {
  const m = maxOf(x, start, n);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.exp(x[start + i] - m);
  const lse = m + Math.log(sum);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = x[start + i] - lse;
  return out;
}

/** softmax of x[start, start + n) (default: all of x) in f64, stable by subtracting the max. Returns Float64Array [n]. */
export function softmax(x: ArrayLike<number>, start = 0, n = x.length - start): Float64Array {
  const m = maxOf(x, start, n);
  const out = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += (out[i] = Math.exp(x[start + i] - m));
  for (let i = 0; i < n; i++) out[i] /= sum;
  return out;
}

/** Index of the largest element; the first one on ties (as llama2.c's argmax). */
export function argmax(x: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < x.length; i++) if (x[i] > x[best]) best = i;
  return best;
}

/** SiLU / swish: x * sigmoid(x). */
export function silu(x: number): number {
  return x / (1 + Math.exp(-x));
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** GELU, tanh approximation (Hendrycks & Gimpel 2016), as GPT-2's `gelu_new`: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). */
export function geluTanh(x: number): number {
  return 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)));
}

/** Exact GELU, x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2)) (PyTorch `gelu`, GPT-NeoX). */
export function geluErf(x: number): number {
  return 0.5 * x * (1 + erf(x / Math.SQRT2));
}

/**
 * The error function to within 1e-13 absolute (far below f32's 6e-8): the Maclaurin series below
 * |x| = 3 (terms peak near e^9, so about 4 of f64's 16 digits cancel) and erfc's continued fraction
 * (Abramowitz & Stegun 7.1.14) above it, evaluated bottom-up with enough terms for full precision.
 */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax >= 6) return Math.sign(x); // erfc(6) < 2.2e-17
  if (ax < 3) {
    // erf x = 2/sqrt(pi) * sum_n (-1)^n x^(2n+1) / (n! (2n+1))
    let term = ax, sum = ax;
    const x2 = ax * ax;
    for (let n = 1; n < 100 && Math.abs(term) > 1e-17 * sum; n++) {
      term *= -x2 / n;
      sum += term / (2 * n + 1);
    }
    return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc x = exp(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...)))))
  let frac = ax;
  for (let k = 60; k >= 1; k--) frac = ax + k / 2 / frac;
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / frac;
  return Math.sign(x) * (1 - erfc);
}
