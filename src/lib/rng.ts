// lib: seeded pseudo-random numbers (sfc32 generator) and the distributions built on them.

/** A deterministic uniform generator in [0, 1) from a 32-bit seed (sfc32, PractRand-tested). */
export function createRng(seed: number): () => number {
  let a = 0x9e3779b9, b = 0x243f6a88, c = 0xb7e15162, d = seed >>> 0;
  const next = (): number => {
    a >>>= 0; b >>>= 0; c >>>= 0; d >>>= 0;
    const t = (a + b + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    return t / 4294967296;
  };
  for (let i = 0; i < 15; i++) next(); // mix the seed into the state
  return next;
}

/** Standard normal sample by Box-Muller (one value per call; simple beats fast here). */
export function normal(rand: () => number): number {
  const u = 1 - rand(); // (0, 1] so log is finite
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/** Standard Laplace sample (scale 1, variance 2) by inverse CDF. */
export function laplace(rand: () => number): number {
  const u = rand() - 0.5;
  return -Math.sign(u) * Math.log(1 - 2 * Math.abs(u) || Number.MIN_VALUE);
}

/** Student-t sample with `nu` degrees of freedom: normal / sqrt(chi2(nu) / nu), integer nu. */
export function studentT(rand: () => number, nu: number): number {
  let chi2 = 0;
  for (let i = 0; i < nu; i++) chi2 += normal(rand) ** 2;
  return normal(rand) / Math.sqrt(chi2 / nu);
}

/** Fisher-Yates choice of `k` distinct integers from [0, n), in the order drawn. */
export function sampleDistinct(rand: () => number, n: number, k: number): number[] {
  const pool = Array.from({ length: n }, (_, i) => i);
  const count = Math.min(k, n);
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(rand() * (n - i));
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return pool.slice(0, count);
}
