// lib: f32 arithmetic helpers so the CPU reference rounds exactly like WGSL f32 code.

/** Round to nearest f32 (alias kept short because the reference uses it on every operation). */
export const f32 = Math.fround;

/** Smallest positive normal f32 (2^-126). GPUs may flush anything smaller to zero. */
export const F32_MIN_NORMAL = 1.1754943508222875e-38;

/**
 * Round half to even, like WGSL `round()`. `Math.round` rounds halves up, which differs on
 * every negative and every even tie.
 */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Flush f32 subnormals to zero of the same sign, matching GPUs that do not keep subnormals. */
export function flushSubnormal(x: number): number {
  if (!(Math.abs(x) < F32_MIN_NORMAL)) return x; // normal, infinite or NaN: unchanged
  return x < 0 || Object.is(x, -0) ? -0 : 0;
}

/**
 * Correctly rounded f32 division a / b of two f32 values. Rounding the f64 quotient to f32 is
 * exact here because f64 has more than 2 * 24 + 2 bits (double rounding is innocuous for
 * division, Figueroa 1995). The WGSL twin is `div_rn` in shaders/lib_float.wgsl; subnormal
 * numerators and results are flushed to zero of the quotient's sign on both sides.
 */
export function divRn(a: number, b: number): number {
  return flushSubnormal(f32(flushSubnormal(a) / b));
}

/** Largest finite f32, used to cap scale factors that would overflow. */
export const F32_MAX = 3.4028234663852886e38;

const bitsScratch = new Uint32Array(1);
const floatScratch = new Float32Array(bitsScratch.buffer);

/** The IEEE binary32 bits (u32, 0..2^32-1) of `v` rounded to f32 (what WGSL `bitcast<u32>` gives). */
export function f32Bits(v: number): number {
  floatScratch[0] = v;
  return bitsScratch[0];
}

/** The f32 value whose binary32 bits are `b` (taken modulo 2^32; WGSL `bitcast<f32>`). */
export function bitsF32(b: number): number {
  bitsScratch[0] = b;
  return floatScratch[0];
}
