// quant: small dense linear algebra for the transforms: the f32 matrix product the GPU mirrors, f64 orthonormalisation and one-sided Jacobi SVD.
/** Math.fround (src/lib/f32.ts `f32`) as a module-local binding: imported bindings are slow in these hot loops under Vite's module transform. */
const f32 = Math.fround;

/**
 * C = op(A) · B in f32, the reference of shaders/matmul_f32.wgsl. op(A) is A (A is f32[m · k]) or,
 * with `transposeA`, Aᵀ (A is f32[k · m]); B is f32[k · n]; C is f32[m · n]; all row-major.
 * Each entry is summed in order p = 0..k-1 as c = f32(c + f32(a · b)), starting from c = 0, which
 * the shader repeats operation for operation (its products kept out of fused multiply-adds).
 */
export function matmulF32(a: Float32Array, b: Float32Array, m: number, k: number, n: number, transposeA = false): Float32Array {
  const c = new Float32Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s = f32(s + f32((transposeA ? a[p * m + i] : a[i * k + p]) * b[p * n + j]));
      c[i * n + j] = s;
    }
  }
  return c;
}

/** C = op(A) · B in f64 with A f32 (the weights) and B f64; shapes as {@link matmulF32}. */
export function matmulF64(a: Float32Array, b: Float64Array, m: number, k: number, n: number, transposeA = false): Float64Array {
  const c = new Float64Array(m * n);
  for (let p = 0; p < k; p++) {
    for (let i = 0; i < m; i++) {
      const aip = transposeA ? a[p * m + i] : a[i * k + p];
      if (aip === 0) continue;
      for (let j = 0; j < n; j++) c[i * n + j] += aip * b[p * n + j];
    }
  }
  return c;
}

/**
 * Orthonormalises the l columns of the row-major f64[m · l] matrix y in place by modified
 * Gram–Schmidt, run twice ("twice is enough", Giraud et al. 2005) so the columns stay orthogonal to
 * f64 precision. A column with nothing left after the projections (relative norm < 1e-13: y was
 * rank-deficient) is set to zero.
 */
export function orthonormalizeColumns(y: Float64Array, m: number, l: number): void {
  const norms = new Float64Array(l);
  for (let j = 0; j < l; j++) norms[j] = Math.sqrt(columnDot(y, m, l, j, j));
  for (let j = 0; j < l; j++) {
    for (let pass = 0; pass < 2; pass++) {
      for (let q = 0; q < j; q++) {
        const dot = columnDot(y, m, l, q, j);
        for (let i = 0; i < m; i++) y[i * l + j] -= dot * y[i * l + q];
      }
    }
    const norm = Math.sqrt(columnDot(y, m, l, j, j));
    const keep = norm > 1e-13 * Math.max(norms[j], Number.MIN_VALUE);
    for (let i = 0; i < m; i++) y[i * l + j] = keep ? y[i * l + j] / norm : 0;
  }
}

function columnDot(y: Float64Array, m: number, l: number, a: number, b: number): number {
  let s = 0;
  for (let i = 0; i < m; i++) s += y[i * l + a] * y[i * l + b];
  return s;
}

/** Thin SVD G = W · diag(s) · Jᵀ of a tall f64[m · l] matrix: W f64[m · l] orthonormal columns, J f64[l · l] orthogonal. */
export interface JacobiSvd {
  readonly w: Float64Array;
  readonly s: Float64Array;
  readonly j: Float64Array;
}

/**
 * One-sided Jacobi SVD (Hestenes 1958; Demmel & Veselić 1992 on its accuracy) of the row-major
 * f64[m · l] matrix g (m >= l; g is not modified): plane rotations orthogonalise pairs of columns
 * until every pair has |gᵢ·gⱼ| <= 1e-15 ‖gᵢ‖‖gⱼ‖ (at most 60 sweeps). Singular values come out
 * sorted descending; zero columns give s = 0 and a zero column of W.
 */
export function jacobiSvd(g: Float64Array, m: number, l: number): JacobiSvd {
  const a = Float64Array.from(g);
  const v = new Float64Array(l * l);
  for (let i = 0; i < l; i++) v[i * l + i] = 1;
  for (let sweep = 0; sweep < 60; sweep++) {
    let rotated = false;
    for (let p = 0; p < l - 1; p++) {
      for (let q = p + 1; q < l; q++) {
        const alpha = columnDot(a, m, l, p, p), beta = columnDot(a, m, l, q, q), gamma = columnDot(a, m, l, p, q);
        if (Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta) || gamma === 0) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t), s = c * t;
        rotateColumns(a, m, l, p, q, c, s);
        rotateColumns(v, l, l, p, q, c, s);
      }
    }
    if (!rotated) break;
  }
  const s = Float64Array.from({ length: l }, (_, j) => Math.sqrt(columnDot(a, m, l, j, j)));
  const order = Array.from({ length: l }, (_, j) => j).sort((x, y) => s[y] - s[x] || x - y);
  const w = new Float64Array(m * l), j = new Float64Array(l * l), sorted = new Float64Array(l);
  order.forEach((from, to) => {
    sorted[to] = s[from];
    for (let i = 0; i < m; i++) w[i * l + to] = s[from] > 0 ? a[i * l + from] / s[from] : 0;
    for (let i = 0; i < l; i++) j[i * l + to] = v[i * l + from];
  });
  return { w, s: sorted, j };
}

/** Columns p, q of the row-major f64[m · l] matrix x become c·x_p − s·x_q and s·x_p + c·x_q. */
function rotateColumns(x: Float64Array, m: number, l: number, p: number, q: number, c: number, s: number): void {
  for (let i = 0; i < m; i++) {
    const xp = x[i * l + p], xq = x[i * l + q];
    x[i * l + p] = c * xp - s * xq;
    x[i * l + q] = s * xp + c * xq;
  }
}
