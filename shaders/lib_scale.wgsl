// lib_scale: stored value of a scale in fp32 / fp16 / bf16 / E4M3 (round to nearest even, saturating)
// or E8M0 (rounded up to a power of two). Twin of encodeScale / encodeSigned in src/quant/scaleEncoding.ts.
// Needs the override SCALE_ENC (0 fp32, 1 fp16, 2 bf16, 3 e4m3, 4 e8m0) in the including kernel.
// Included with `//! include lib_scale`. Integer arithmetic on the f32 bits only: WGSL's
// quantizeToF16 / pack2x16float leave rounding and out-of-range results to the implementation.

// RNE of a >= 0 (normal or 0) to m mantissa bits with smallest normal exponent emin; >= maxv saturates.
fn round_fp(a: f32, m: i32, emin: i32, maxv: f32) -> f32 {
  if (a >= maxv) { return maxv; }
  let u = bitcast<u32>(a);
  let biased = i32(u >> 23u);
  if (biased == 0) { return 0.0; }
  let e = biased - 127;
  let mant = (u & 0x7fffffu) | 0x800000u;
  let qexp = max(e, emin) - m;
  let s = u32(qexp - (e - 23));
  if (s > 24u) { return 0.0; }
  var r = mant >> s;
  let rest = mant & ((1u << s) - 1u);
  let half = 1u << (s - 1u);
  if (rest > half || (rest == half && (r & 1u) == 1u)) { r += 1u; }
  // r < 2^(m+2) converts exactly; 2^qexp is a normal f32 for every format here (qexp >= -24).
  return f32(r) * bitcast<f32>(u32(qexp + 127) << 23u);
}

fn encode_scale(s: f32) -> f32 {
  switch (SCALE_ENC) {
    case 1u: { return round_fp(s, 10, -14, 65504.0); }
    case 2u: {
      let mx = bitcast<f32>(0x7f7f0000u);
      if (s >= mx) { return mx; }
      let u = bitcast<u32>(s);
      return bitcast<f32>((u + 0x7fffu + ((u >> 16u) & 1u)) & 0xffff0000u);
    }
    case 3u: { return round_fp(s, 3, -6, 448.0); }
    case 4u: {
      let u = bitcast<u32>(s);
      var biased = u >> 23u;
      if (biased == 0u) { return 0.0; }
      if ((u & 0x7fffffu) != 0u) { biased += 1u; }
      return bitcast<f32>(min(biased, 254u) << 23u);
    }
    default: { return s; }
  }
}

// Sign kept, magnitude as encode_scale (never called with E8M0, which cannot hold a sign).
fn encode_signed(v: f32) -> f32 {
  let mag = encode_scale(abs(v));
  return select(mag, -mag, v < 0.0);
}
