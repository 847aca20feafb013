// quant: seeded randomized truncated SVD (Halko–Martinsson–Tropp) as a generator of matrix products, with a CPU driver in f64 or f32.
//
// Halko, Martinsson & Tropp 2011, "Finding structure with randomness", Algorithm 4.4 (randomized
// subspace iteration) then Algorithm 5.1 (direct SVD): Ω is a seeded Gaussian cols × l test matrix
// (l = rank + oversample), Y = AΩ, Q = orth(Y); each power iteration Q = orth(A · orth(AᵀQ)); then
// Bᵀ = AᵀQ (cols × l), its SVD by one-sided Jacobi (linalg.ts) gives B = J Σ Vᵀ and A ≈ (QJ) Σ Vᵀ.
// The products with A, the heavy part, are yielded as requests (steps.ts), so the CPU (f64 or f32
// sums) and shaders/matmul_f32.wgsl drive the same loop; everything else runs in f64 on the CPU.
import { createRng, normal } from '../../lib/rng';
import { jacobiSvd, matmulF32, matmulF64, orthonormalizeColumns } from './linalg';
import { runSteps } from './steps';

/** A product with the matrix A (rows × cols): A·X for X f64[cols · k], or Aᵀ·X for X f64[rows · k]; row-major. */
export interface ProductRequest {
  readonly transpose: boolean;
  readonly x: Float64Array;
  readonly k: number;
}

export interface RandomizedSvdParams {
  /** Singular triplets to return (1..min(rows, cols)). */
  readonly rank: number;
  /** Extra columns of the test matrix (default 8, Halko et al. §4.2). */
  readonly oversample?: number;
  /** Power (subspace) iterations (default 2). */
  readonly powerIterations?: number;
  /** Seed of the Gaussian test matrix (u32, default 0). */
  readonly seed?: number;
}

/** A ≈ U diag(s) Vᵀ: u f64[rows · rank], s f64[rank] descending, v f64[cols · rank], row-major. */
export interface TruncatedSvd {
  readonly rank: number;
  readonly u: Float64Array;
  readonly s: Float64Array;
  readonly v: Float64Array;
}

/** The randomized SVD loop; each yield asks for a product with A and receives it (f64, row-major). */
export function* randomizedSvdSteps(rows: number, cols: number, p: RandomizedSvdParams): Generator<ProductRequest, TruncatedSvd, Float64Array> {
  const full = Math.min(rows, cols);
  if (!Number.isInteger(p.rank) || p.rank < 1 || p.rank > full) {
    throw new Error(`Randomized SVD: the rank must be a whole number from 1 to ${full} (the smaller side of a ${rows} × ${cols} matrix), got ${p.rank}.`);
  }
  const l = Math.min(full, p.rank + (p.oversample ?? 8));
  const rand = createRng(p.seed ?? 0);
  const omega = Float64Array.from({ length: cols * l }, () => normal(rand));
  let q: Float64Array = yield { transpose: false, x: omega, k: l };
  orthonormalizeColumns(q, rows, l);
  for (let it = 0; it < (p.powerIterations ?? 2); it++) {
    const z: Float64Array = yield { transpose: true, x: q, k: l };
    orthonormalizeColumns(z, cols, l);
    q = yield { transpose: false, x: z, k: l };
    orthonormalizeColumns(q, rows, l);
  }
  const bt: Float64Array = yield { transpose: true, x: q, k: l }; // Bᵀ = AᵀQ, cols × l
  const { w, s, j } = jacobiSvd(bt, cols, l); // Bᵀ = W Σ Jᵀ, so B = J Σ Wᵀ and A ≈ (QJ) Σ Wᵀ
  const r = p.rank;
  const u = new Float64Array(rows * r), v = new Float64Array(cols * r);
  for (let i = 0; i < rows; i++) {
    for (let c = 0; c < r; c++) {
      let sum = 0;
      for (let t = 0; t < l; t++) sum += q[i * l + t] * j[t * l + c];
      u[i * r + c] = sum;
    }
  }
  for (let i = 0; i < cols; i++) for (let c = 0; c < r; c++) v[i * r + c] = w[i * l + c];
  return { rank: r, u, s: s.slice(0, r), v };
}

/**
 * Answers product requests for A = `a` (f32[rows · cols]) on the CPU: 'f64' sums in f64; 'f32'
 * rounds X to f32 and sums like {@link matmulF32}, the same bits as the GPU kernel.
 */
export function cpuProducts(a: Float32Array, rows: number, cols: number, precision: 'f64' | 'f32' = 'f64'): (r: ProductRequest) => Float64Array {
  return ({ transpose, x, k }) => {
    const m = transpose ? cols : rows, inner = transpose ? rows : cols;
    if (precision === 'f64') return matmulF64(a, x, m, inner, k, transpose);
    return Float64Array.from(matmulF32(a, Float32Array.from(x), m, inner, k, transpose));
  };
}

/** Randomized truncated SVD of the row-major f32[rows · cols] matrix `a` on the CPU. */
export function randomizedSvd(a: Float32Array, rows: number, cols: number, p: RandomizedSvdParams, precision: 'f64' | 'f32' = 'f64'): TruncatedSvd {
  if (a.length !== rows * cols) throw new Error(`Randomized SVD: a ${rows} × ${cols} matrix needs ${rows * cols} values, got ${a.length}.`);
  return runSteps(randomizedSvdSteps(rows, cols, p), cpuProducts(a, rows, cols, precision));
}
