// lib_float: correctly rounded f32 division with integer arithmetic (WGSL `/` may be off by 2.5 ulp),
// and exact scaling by powers of two. Included by kernels with `//! include lib_float`.
// div_rn must match divRn in src/lib/f32.ts: zero or subnormal numerators give 0, results below the
// normal range flush to 0. Divisors are finite normal numbers in every caller (zero divisors give infinity).
// ldexp_bits must match Math.fround(v * 2 ** k) (subnormal results rounded to nearest even).

fn div_rn(a: f32, b: f32) -> f32 {
  let ua = bitcast<u32>(a);
  let ub = bitcast<u32>(b);
  let sign = (ua ^ ub) & 0x80000000u;
  let ea = i32((ua >> 23u) & 0xffu);
  let eb = i32((ub >> 23u) & 0xffu);
  if (ea == 0) { return bitcast<f32>(sign); }
  if (eb == 0) { return bitcast<f32>(sign | 0x7f800000u); }
  let ma = (ua & 0x7fffffu) | 0x800000u;
  let mb = (ub & 0x7fffffu) | 0x800000u;
  // Long division: q = floor(ma / mb * 2^25), 25 or 26 bits; r keeps twice the remainder.
  var r = ma;
  var q = 0u;
  for (var i = 0u; i < 26u; i++) {
    q = q << 1u;
    if (r >= mb) { r -= mb; q |= 1u; }
    r = r << 1u;
  }
  var e = ea - eb;
  var drop = 2u; // bits below the 24-bit significand when the quotient is in [1, 2)
  if (q < (1u << 25u)) { drop = 1u; e -= 1; }
  var m = q >> drop;
  let half = 1u << (drop - 1u);
  let rest = q & ((1u << drop) - 1u);
  if (rest > half || (rest == half && (r != 0u || (m & 1u) == 1u))) { m += 1u; }
  if (m == (1u << 24u)) { m = 1u << 23u; e += 1; }
  let biased = e + 127;
  if (biased <= 0) { return bitcast<f32>(sign); }
  if (biased >= 255) { return bitcast<f32>(sign | 0x7f800000u); }
  return bitcast<f32>(sign | (u32(biased) << 23u) | (m & 0x7fffffu));
}

// Bits of RN(value(b) * 2^k) for non-negative finite f32 bits b (subnormals in and out; overflow: inf).
fn ldexp_bits(b: u32, k: i32) -> u32 {
  if (b == 0u) { return 0u; }
  var e = i32(b >> 23u);
  var m = b & 0x7fffffu;
  if (e == 0) {
    let s = countLeadingZeros(m) - 8u;
    m = m << s;
    e = 1 - i32(s);
  } else {
    m |= 0x800000u;
  }
  // value = m * 2^(e - 150), m in [2^23, 2^24)
  let ne = e + k;
  if (ne >= 255) { return 0x7f800000u; } // inf
  if (ne >= 1) { return (u32(ne) << 23u) | (m & 0x7fffffu); }
  let sh = u32(1 - ne); // subnormal result: m * 2^(ne - 1) units of 2^-149
  if (sh > 24u) { return 0u; }
  var r = m >> sh;
  let rest = m & ((1u << sh) - 1u);
  let half = 1u << (sh - 1u);
  if (rest > half || (rest == half && (r & 1u) == 1u)) { r += 1u; }
  return r;
}
