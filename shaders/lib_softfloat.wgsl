// lib_softfloat: IEEE binary32 arithmetic on raw bits with integer operations only: correctly rounded
// (round to nearest even), subnormal operands and results kept, IEEE specials, as C on an x86-64 CPU.
// Used where a kernel must match f32 arithmetic on any adapter (WGSL lets adapters flush subnormals
// and gives `/` 2.5 ulp, `sqrt` no exactness at all). Included with `//! include lib_softfloat`.
// Twins: div_full/mul_full/add_full/sqrt_full = f32(a op b) / Math.fround(Math.sqrt(a)) on f32 inputs;
// fp16_bits = GGML_FP32_TO_FP16 (src/quant/ggml/common.ts fp32ToFp16Bits); fp16_value = its inverse.

const SIGN = 0x80000000u;
const MAG = 0x7fffffffu;
const INF_BITS = 0x7f800000u;
const NAN_BITS = 0x7fc00000u;

fn is_nan(b: u32) -> bool { return (b & MAG) > INF_BITS; }
fn is_inf(b: u32) -> bool { return (b & MAG) == INF_BITS; }

// (m, e): |b| = m * 2^(e - 150) with m in [2^23, 2^24), for nonzero finite bits (subnormals normalized).
fn unpack(b: u32) -> vec2i {
  let a = b & MAG;
  let e = i32(a >> 23u);
  if (e == 0) {
    let s = countLeadingZeros(a) - 8u;
    return vec2i(i32(a << s), 1 - i32(s));
  }
  return vec2i(i32((a & 0x7fffffu) | 0x800000u), e);
}

// Bits of RN(sign * (q + f) * 2^(biased - 127 - top)), f in [0, 1) nonzero iff `sticky`, q > 0 with
// its leading bit at `top` <= 25: normal results, subnormal results (quantum 2^-149), overflow to inf.
fn round_pack(sign: u32, q: u32, sticky: bool, top: i32, biased: i32) -> u32 {
  var drop = top - 23; // bits of q below a normal 24-bit significand
  if (biased < 1) { drop += 1 - biased; }
  if (drop > top + 1) { return sign; } // below half the quantum
  var m: u32;
  if (drop <= 0) {
    m = q << u32(-drop); // exact (sticky is false whenever q has fewer than 24 bits)
  } else {
    let ud = u32(drop);
    m = q >> ud;
    let rest = q & ((1u << ud) - 1u);
    let half = 1u << (ud - 1u);
    if (rest > half || (rest == half && (sticky || (m & 1u) == 1u))) { m += 1u; }
  }
  if (biased < 1) { return sign | m; } // m == 2^23 is the smallest normal, bit pattern included
  var be = biased;
  if (m == (1u << 24u)) { m = 1u << 23u; be += 1; }
  if (be >= 255) { return sign | INF_BITS; }
  return sign | (u32(be) << 23u) | (m & 0x7fffffu);
}

// Bits of the correctly rounded f32 quotient a / b, IEEE specials, subnormals in and out.
fn div_full(a: u32, b: u32) -> u32 {
  let sign = (a ^ b) & SIGN;
  let aa = a & MAG;
  let ab = b & MAG;
  if (is_nan(a) || is_nan(b)) { return NAN_BITS; }
  if (aa == INF_BITS) { return select(sign | INF_BITS, NAN_BITS, ab == INF_BITS); }
  if (ab == INF_BITS) { return sign; }
  if (ab == 0u) { return select(sign | INF_BITS, NAN_BITS, aa == 0u); }
  if (aa == 0u) { return sign; }
  let ua = unpack(a);
  let ub = unpack(b);
  let mb = u32(ub.x);
  // q = floor(ma / mb * 2^25) (leading bit 25 or 24); r != 0 iff the division is inexact.
  var r = u32(ua.x);
  var q = 0u;
  for (var i = 0u; i < 26u; i++) {
    q = q << 1u;
    if (r >= mb) { r -= mb; q |= 1u; }
    r = r << 1u;
  }
  let top = select(24, 25, q >= (1u << 25u));
  return round_pack(sign, q, r != 0u, top, ua.y - ub.y - 25 + top + 127);
}

// Bits of the correctly rounded f32 product a * b, IEEE specials, subnormals in and out.
fn mul_full(a: u32, b: u32) -> u32 {
  let sign = (a ^ b) & SIGN;
  let aa = a & MAG;
  let ab = b & MAG;
  if (is_nan(a) || is_nan(b)) { return NAN_BITS; }
  if (aa == INF_BITS || ab == INF_BITS) { return select(sign | INF_BITS, NAN_BITS, aa == 0u || ab == 0u); }
  if (aa == 0u || ab == 0u) { return sign; }
  let ua = unpack(a);
  let ub = unpack(b);
  // 48-bit product P = ma * mb = hi * 2^24 + lo from 12-bit halves.
  let ah = u32(ua.x) >> 12u;
  let al = u32(ua.x) & 0xfffu;
  let bh = u32(ub.x) >> 12u;
  let bl = u32(ub.x) & 0xfffu;
  let mid = ah * bl + al * bh;
  let lo_full = al * bl + ((mid & 0xfffu) << 12u);
  let hi = ah * bh + (mid >> 12u) + (lo_full >> 24u);
  let lo = lo_full & 0xffffffu;
  let q = (hi << 2u) | (lo >> 22u); // P >> 22, leading bit 24 or 25
  let top = select(24, 25, q >= (1u << 25u));
  // a * b = P * 2^(ea + eb - 300) = (q + f) * 2^(ea + eb - 278)
  return round_pack(sign, q, (lo & 0x3fffffu) != 0u, top, ua.y + ub.y - 151 + top);
}

// Bits of the correctly rounded f32 sum a + b (RN: x - x = +0, -0 + -0 = -0), IEEE specials, subnormals.
fn add_full(a: u32, b: u32) -> u32 {
  if (is_nan(a) || is_nan(b)) { return NAN_BITS; }
  if (is_inf(a)) { return select(a, NAN_BITS, is_inf(b) && a != b); }
  if (is_inf(b)) { return b; }
  let aa = a & MAG;
  let ab = b & MAG;
  if (aa == 0u && ab == 0u) { return a & b; }
  if (aa == 0u) { return b; }
  if (ab == 0u) { return a; }
  var big = a;
  var small = b;
  if (ab > aa) { big = b; small = a; }
  let ub = unpack(big);
  let us = unpack(small);
  let d = u32(ub.y - us.y);
  // Six guard bits; the bits shifted out of the smaller operand are folded into its lowest bit
  // (sticky), which keeps the rounding of both sum and difference correct.
  let mb = u32(ub.x) << 6u;
  let m6 = u32(us.x) << 6u;
  var ms = 1u;
  if (d < 31u) {
    ms = m6 >> d;
    if ((m6 & ((1u << d) - 1u)) != 0u) { ms |= 1u; }
  }
  var s = mb + ms;
  if (((a ^ b) & SIGN) != 0u) { s = mb - ms; }
  if (s == 0u) { return 0u; }
  var top = i32(31u - countLeadingZeros(s));
  let biased = ub.y - 29 + top; // big = mb * 2^(eb - 156), so a + b = s * 2^(eb - 156)
  var sticky = false;
  if (top > 25) {
    let sh = u32(top - 25);
    sticky = (s & ((1u << sh) - 1u)) != 0u;
    s = s >> sh;
    top = 25;
  }
  return round_pack(big & SIGN, s, sticky, top, biased);
}

fn sub_full(a: u32, b: u32) -> u32 { return add_full(a, b ^ SIGN); }

// GGML_FP32_TO_FP16: round to nearest even, subnormals kept, |x| >= 65520 -> inf, NaN -> 0x7e00.
fn fp16_bits(b: u32) -> u32 {
  let sign = (b >> 16u) & 0x8000u;
  let a = b & MAG;
  if (a > INF_BITS) { return 0x7e00u; }
  if (a >= 0x477ff000u) { return sign | 0x7c00u; } // 65520 and up
  if (a >= 0x38800000u) { // fp16 normal (>= 2^-14)
    var h = (((a >> 23u) - 112u) << 10u) | ((a >> 13u) & 0x3ffu);
    let rest = a & 0x1fffu;
    if (rest > 0x1000u || (rest == 0x1000u && (h & 1u) == 1u)) { h += 1u; } // a carry rounds up the exponent
    return sign | h;
  }
  if (a <= 0x33000000u) { return sign; } // <= 2^-25: ties to the even 0
  let e = a >> 23u; // 102..112
  let m = (a & 0x7fffffu) | 0x800000u;
  let sh = 126u - e; // value / 2^-24 = m * 2^-sh
  var h = m >> sh;
  let rest = m & ((1u << sh) - 1u);
  let half = 1u << (sh - 1u);
  if (rest > half || (rest == half && (h & 1u) == 1u)) { h += 1u; }
  return sign | h;
}

// Bits of the correctly rounded f32 square root of non-negative bits b (+0, +inf and NaN returned as
// they are; subnormal inputs normalized). Bit-by-bit integer square root (the classic restoring
// method, as in fdlibm's e_sqrtf.c): with |b| = f * 2^E, f in [1, 2), E made even by doubling f,
// q = floor(sqrt(f) * 2^24) has 25 bits; its last bit rounds (an exact tie would need f * 2^48 to be
// an odd square, and it is even), and a carry to 2^24 moves into the exponent.
fn sqrt_full(b: u32) -> u32 {
  if ((b & MAG) == 0u || b >= INF_BITS) { return b; }
  let u = unpack(b);
  var e = u.y - 127; // |b| = (m / 2^23) * 2^e
  var rem = u32(u.x) << 1u;
  if ((e & 1) != 0) { rem = rem << 1u; e -= 1; }
  var root = 0u; // 2 * (root bits found so far), aligned with the current bit
  var q = 0u;
  for (var bit = 1u << 24u; bit != 0u; bit = bit >> 1u) {
    let t = root + bit;
    if (t <= rem) {
      root = t + bit;
      rem -= t;
      q += bit;
    }
    rem = rem << 1u;
  }
  q += q & 1u;
  return u32((e >> 1u) + 126) * 0x800000u + (q >> 1u);
}

// f32 bits of the fp16 bits h (exact: subnormals, inf, NaN payload shifted).
fn fp16_value(h: u32) -> u32 {
  let sign = (h & 0x8000u) << 16u;
  let e = (h >> 10u) & 0x1fu;
  let m = h & 0x3ffu;
  if (e == 31u) { return sign | INF_BITS | (m << 13u); }
  if (e != 0u) { return sign | ((e + 112u) << 23u) | (m << 13u); }
  if (m == 0u) { return sign; }
  let top = 31u - countLeadingZeros(m); // value m * 2^-24 = 1.f * 2^(top - 24)
  return sign | ((top + 103u) << 23u) | ((m << (23u - top)) & 0x7fffffu);
}
