// quant: the standard normal CDF and quantile function in f64, for building NormalFloat codebooks.

/**
 * Standard normal CDF Phi(x). Uses erf(t) = 2/sqrt(pi) e^(-t^2) sum_n (2t^2)^n t / (2n+1)!!, a
 * series of positive terms (no cancellation), accurate to a few ulps for |x| <= 6.
 */
export function normalCdf(x: number): number {
  const t = Math.abs(x) / Math.SQRT2;
  let term = t, sum = t;
  for (let n = 1; term > sum * 1e-18; n++) {
    term *= (2 * t * t) / (2 * n + 1);
    sum += term;
  }
  const erf = Math.min(1, (2 / Math.sqrt(Math.PI)) * Math.exp(-t * t) * sum);
  return x < 0 ? 0.5 * (1 - erf) : 0.5 * (1 + erf);
}

/**
 * Standard normal quantile (scipy `norm.ppf`) for p in (0.0001, 0.9999): Newton's method on
 * {@link normalCdf}, converged to f64 precision; enough to reproduce f32 tables exactly.
 */
export function normalPpf(p: number): number {
  if (p === 0.5) return 0;
  let x = 0;
  for (let i = 0; i < 100; i++) {
    const pdf = Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
    const dx = (normalCdf(x) - p) / pdf;
    x -= dx;
    if (Math.abs(dx) < 1e-17 * Math.max(1, Math.abs(x))) break;
  }
  return x;
}
