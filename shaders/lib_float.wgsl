// lib_float: correctly rounded f32 division with integer arithmetic (WGSL `/` may be off by 2.5 ulp).
// Included by kernels with `//! include lib_float`. Must match divRn in src/lib/f32.ts:
// zero or subnormal numerators give 0, results below the normal range flush to 0.
// Divisors are finite normal numbers in every caller (zero divisors give infinity).

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
