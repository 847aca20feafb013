// lib_pow: x^p in f32 by a fixed sequence of correctly rounded f32 operations. Twin of powF32 /
// signedPowF32 in src/quant/nonuniform/powF32.ts, bit for bit (the algorithm and its accuracy are
// described there). Included with `//! include lib_pow`; needs lib_float (div_rn, ldexp_bits) and a
// `fn keep(v: f32) -> f32` in the including kernel that hides each result from the compiler (an XOR
// with a uniform 0), so no operation is fused into a multiply-add or reassociated.
// Assumes the adapter keeps f32 subnormals in `*`, `+`, `-` where intermediates are that small
// (only for x^p below ~2^-100).

const POW_SQRT2 = 0x3fb504f3u; // f32(√2)
const POW_INV_LN2 = 0x3fb8aa3bu; // f32(1 / ln 2)
const POW_LN2 = 0x3f317218u; // f32(ln 2)

// powF32(x, p) for f32 x >= 0 (finite) and p > 0.
fn pow_f32(x: f32, p: f32) -> f32 {
  if (p == 1.0) { return x; }
  let xb = bitcast<u32>(x) & 0x7fffffffu;
  if (xb == 0u) { return 0.0; }
  // x = m * 2^e, m in [1, 2) (subnormals normalized), then in [√2/2, √2)
  var e: i32;
  var mb: u32;
  if ((xb >> 23u) == 0u) {
    let top = 31u - countLeadingZeros(xb);
    e = i32(top) - 149;
    mb = ((xb << (23u - top)) & 0x7fffffu) | 0x3f800000u;
  } else {
    e = i32(xb >> 23u) - 127;
    mb = (xb & 0x7fffffu) | 0x3f800000u;
  }
  var m = bitcast<f32>(mb);
  if (m > bitcast<f32>(POW_SQRT2)) {
    m = m * 0.5;
    e += 1;
  }
  let s = div_rn(keep(m - 1.0), keep(m + 1.0));
  let s2 = keep(s * s);
  var poly = bitcast<f32>(0x3de38e39u); // 1/9
  poly = keep(bitcast<f32>(0x3e124925u) + keep(s2 * poly)); // 1/7
  poly = keep(bitcast<f32>(0x3e4ccccdu) + keep(s2 * poly)); // 1/5
  poly = keep(bitcast<f32>(0x3eaaaaabu) + keep(s2 * poly)); // 1/3
  poly = keep(1.0 + keep(s2 * poly));
  let l = keep(keep(keep(2.0 * s) * poly) * bitcast<f32>(POW_INV_LN2));
  let p_hi = bitcast<f32>(bitcast<u32>(p) & 0xfffff000u);
  let a = keep(p_hi * f32(e));
  let b = keep(keep(p - p_hi) * f32(e));
  let c = keep(p * l);
  let n = round(keep(keep(a + b) + c));
  let g = keep(keep(keep(keep(a - n) + b) + c) * bitcast<f32>(POW_LN2));
  var ex = bitcast<f32>(0x39500d01u); // 1/5040
  ex = keep(bitcast<f32>(0x3ab60b61u) + keep(g * ex)); // 1/720
  ex = keep(bitcast<f32>(0x3c088889u) + keep(g * ex)); // 1/120
  ex = keep(bitcast<f32>(0x3d2aaaabu) + keep(g * ex)); // 1/24
  ex = keep(bitcast<f32>(0x3e2aaaabu) + keep(g * ex)); // 1/6
  ex = keep(0.5 + keep(g * ex));
  ex = keep(1.0 + keep(g * keep(1.0 + keep(g * ex))));
  return bitcast<f32>(ldexp_bits(bitcast<u32>(ex), i32(n)));
}

// signedPowF32: sign(v) * |v|^p; ±0 gives +0 (p = 1: v itself).
fn signed_pow_f32(v: f32, p: f32) -> f32 {
  if (v < 0.0) { return -pow_f32(-v, p); }
  return pow_f32(v, p);
}
