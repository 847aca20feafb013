// lib_u64: unsigned 64-bit integers as vec2u(lo, hi), for exact, order-free sums (the integer
// quantizer's MSE clip search, the table kernel's mean|x|). Included with `//! include lib_u64`.

// a + b modulo 2^64.
fn add_u64(a: vec2u, b: vec2u) -> vec2u {
  let lo = a.x + b.x;
  return vec2u(lo, a.y + b.y + select(0u, 1u, lo < a.x));
}
