// lib_u64: unsigned 64-bit integers as vec2u(lo, hi), for exact, order-free sums (the integer
// quantizer's MSE clip search, the table kernel's mean|x|, NUPES' exponent search). Included with
// `//! include lib_u64`.

// a + b modulo 2^64.
fn add_u64(a: vec2u, b: vec2u) -> vec2u {
  let lo = a.x + b.x;
  return vec2u(lo, a.y + b.y + select(0u, 1u, lo < a.x));
}

// clipSearchFactor(A) in src/quant/int.ts: 2^(clamp(269 - biased(A), 1, 254) - 127), from the bits of
// A = max |x| (the sign bit is ignored).
fn search_factor(amax: u32) -> f32 {
  return bitcast<f32>(u32(clamp(269 - i32((amax >> 23u) & 0xffu), 1, 254)) << 23u);
}

// clipSearchError's fixed point (src/quant/int.ts) from df = f32(f32(x - x̂) * f): min(f32(df²), 2^40)
// as an integer (lo, hi). The floors and the split are exact.
fn fixed_square(df: f32) -> vec2<u32> {
  let e = min(df * df, 1099511627776.0); // 2^40
  let hi = floor(e * 2.3283064365386963e-10); // e / 2^32, exact
  let lo = floor(e - hi * 4294967296.0); // exact: the low 32 bits of e's integer part
  return vec2<u32>(u32(lo), u32(hi));
}
