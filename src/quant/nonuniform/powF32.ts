// quant: x^p in f32 by a fixed sequence of correctly rounded f32 operations, so WGSL (shaders/lib_pow.wgsl) computes the same bits.
import { bitsF32, divRn, f32, f32Bits, roundHalfEven } from '../../lib/f32';

const SQRT2 = f32(Math.SQRT2);
/** Coefficients of 2·atanh(s) = ln((1 + s) / (1 - s)): 1/3, 1/5, 1/7, 1/9. */
const ATANH = [1 / 3, 1 / 5, 1 / 7, 1 / 9].map(f32);
/** Taylor coefficients of e^g from g^7 down to g^2: 1/5040, ..., 1/2. */
const EXP = [1 / 5040, 1 / 720, 1 / 120, 1 / 24, 1 / 6, 1 / 2].map(f32);
const INV_LN2 = f32(1 / Math.LN2);
const LN2 = f32(Math.LN2);

/** [m, e] with x = m·2^e, m in [1, 2), for a positive finite f32 x (subnormals included), exact. */
function frexpF32(x: number): [number, number] {
  const b = f32Bits(x);
  const biased = b >>> 23;
  if (biased === 0) { // subnormal: b · 2^-149
    const top = 31 - Math.clz32(b);
    return [b / 2 ** top, top - 149];
  }
  return [bitsF32((b & 0x7fffff) | 0x3f800000), biased - 127];
}

/** p with its low 12 mantissa bits cleared (12 significant bits, so p_hi·e is exact for |e| < 2^12). */
function highHalf(p: number): number {
  return bitsF32(f32Bits(p) & 0xfffff000);
}

/**
 * x^p for a finite f32 x >= 0 and f32 p > 0, as one fixed sequence of f32 operations (each
 * correctly rounded, in this order; WGSL twin `pow_f32` in shaders/lib_pow.wgsl):
 *   x = m·2^e exactly, m in [√2/2, √2); s = RN((m - 1) / (m + 1));
 *   l = log2 m ≈ 2s·(1 + s²(1/3 + s²(1/5 + s²(1/7 + s²/9))))·(1/ln 2);
 *   p·log2 x = A + B + C with A = p_hi·e and B = p_lo·e exact (p split into 12 + 12 bits), C = p·l;
 *   n = round_half_even((A + B) + C); f = ((A - n) + B) + C (A - n exact); g = f·ln 2;
 *   x^p ≈ RN((1 + g(1 + g(1/2 + ... + g/5040))) · 2^n) (subnormal results rounded to nearest even).
 * p = 1 returns x itself and x = 0 gives +0. Splitting p·e keeps the fraction f accurate to about
 * 2^-24 whatever the exponent, so the result is within a few ulps of x^p (bound measured in
 * tests/unit/nonuniform-log.test.ts). `Math.pow` cannot be used: a GPU has no correctly rounded
 * pow, and WGSL's `pow` differs from it (and between adapters) by ulps.
 */
export function powF32(x: number, p: number): number {
  if (p === 1) return x;
  if (x === 0) return 0;
  let [m, e] = frexpF32(x);
  if (m > SQRT2) { m *= 0.5; e += 1; } // exact
  const s = divRn(f32(m - 1), f32(m + 1));
  const s2 = f32(s * s);
  let poly = ATANH[3];
  for (let k = 2; k >= 0; k--) poly = f32(ATANH[k] + f32(s2 * poly));
  poly = f32(1 + f32(s2 * poly));
  const l = f32(f32(f32(2 * s) * poly) * INV_LN2);
  const pHi = highHalf(p);
  const a = f32(pHi * e), b = f32(f32(p - pHi) * e), c = f32(p * l); // a, b and p - pHi exact
  const n = roundHalfEven(f32(f32(a + b) + c));
  const g = f32(f32(f32(f32(a - n) + b) + c) * LN2);
  let ex = EXP[0];
  for (let k = 1; k < EXP.length; k++) ex = f32(EXP[k] + f32(g * ex));
  ex = f32(1 + f32(g * f32(1 + f32(g * ex))));
  return f32(ex * 2 ** n);
}

/** sign(v)·|v|^p in f32 ({@link powF32}); ±0 gives +0 (except p = 1: v itself). */
export function signedPowF32(v: number, p: number): number {
  return v < 0 ? -powF32(-v, p) : powF32(v, p);
}
