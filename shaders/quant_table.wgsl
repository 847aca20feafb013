// quant_table: table-driven element formats (FP8/FP6/FP4, MX, NVFP4, absmax codebooks): group scales, packed encode, decode.
// Matches, bit for bit (codes, stored scales, dequantized values):
//   MODE 0 NONE       src/quant/formats/fp.ts       FpFormat.encode / decode (plain elements, no scale)
//   MODE 1 MX         src/quant/formats/mx.ts       quantizeMx / dequantizeMx (E8M0 scale, OCP MX v1.0 §6.3)
//   MODE 2 ABSMAX     src/quant/formats/absmax.ts   quantizeAbsmax / dequantizeAbsmax (double quant: the host
//                     rewrites the stored scales, then reruns decode)
//   MODE 3 ABSMAX_FP  src/quant/formats/scaledFp.ts quantizeScaledFp / dequantizeScaledFp
//   MODE 4 NVFP4      src/quant/formats/nvfp4.ts    quantizeNvfp4 / dequantizeNvfp4
//   MODE 5 MEANABS    src/quant/nonuniform/ternary.ts quantizeTernary / dequantizeTernary (scale
//                     max(mean|x|, floor), codes of f32(x * inv))
//   MODE 6 MEANABS_RAW src/quant/nonuniform/binary.ts quantizeBinary / dequantizeBinary (scale
//                     mean|x|, codes of x itself)
//   MODE 7 IQ4NL      src/quant/formats/iq4nl.ts    quantizeIq4nl / dequantizeIq4nl (one thread per
//                     group: signed max, codes of f32(x * id), the least-squares refit summed in
//                     element order in f32, products kept out of FMAs by XOR with the zero uniform)
//   Fitted codebooks reuse MODE 0 (typed raw codebooks, Lloyd-Max, the LLM-FP4 search with its
//   scale folded in) and MODE 2 (typed absmax codebooks, log2): src/quant/nonuniform/*.ts, tables
//   built by src/gpu/kernels/quantTable.ts.
// and src/quant/groups.ts (groupOf), src/quant/pack.ts (bit stream).
//
// Element encoding is data, built on the CPU by src/gpu/kernels/quantTable.ts from the CPU encoder
// itself: f32 values are mapped to order-preserving u32 keys (key(-inf) < ... < key(-0) < key(+0) <
// ... < key(+inf)); the encoder is constant on key intervals, and `bounds` holds the first key of
// every interval but the first, found by bisecting the CPU encoder over keys. So every tie rule
// (RNE's even code, bitsandbytes' strict `>`, sign of zero) is in the bounds, and encode is a
// binary search on integers (no f32 compare, immune to subnormal flushing). No bound lies strictly
// inside the f32 subnormal range (the builder asserts it): a subnormal flushed to zero of the same
// sign keeps its code. The one bound at -0 (bitsandbytes FP4: x < 0 takes the sign) needs the sign
// of an underflowed product: a negative product that came out zero is taken as -2^-149 when
// |x| * 2^64 * inv > 2^-86 (the CPU's f32 product is then -2^-149, else -0). Only an exact product
// within 2^-174 above 2^-150 can decide differently.
// MEANABS: meanAbs in binary.ts: each |x| truncated to a multiple of 2^(E - 32) (E = floor(log2
// amax)), summed exactly as a 64-bit integer (order-free), mean = RN_f32(sum * 2^(E - 32) / n) by
// integer long division (one thread per group).
// Scales: MX's E8M0 exponent from exponent bits; scaled values and E8M0 dequantization by exact
// integer ldexp (subnormal results rounded to nearest even like Math.fround); fp16/bf16/E4M3 scale
// storage by integer RNE rounding with saturation; every division through div_rn. div_rn takes
// normal divisors only, so an f32-subnormal divisor (absmax scale, NVFP4 total of a tiny tensor) is
// lifted by 2^64 and the quotient scaled back: the CPU's divRn divides such values exactly.
// Not covered: hardware that flushes f32 subnormal operands of `*` (llvmpipe keeps them): there,
// ABSMAX/ABSMAX_FP/NVFP4 products and dequantized values in the subnormal range may differ.
//
// Element options (MX, ABSMAX_FP; src/quant/formats/elementOptions.ts): the uniform clip_bits caps the
// group absmax (a percentile clip's threshold T from the CPU; +inf bits without one), and with
// STOCHASTIC the scaled value is put on the element grid by `stochastic_bits` (stochasticOnGrid:
// integer arithmetic on the bits and the lib_hash counter hash of (seed, element index)) before encode.
//
// Overrides: WG (threads per workgroup, power of two <= 256), BITS (code bits, 2..8), MODE (above),
//   STORE (MODE 2, 5, 6, 7 scale storage: 0 fp32, 1 fp16, 2 bf16), EMAX (MODE 1: element emax),
//   STOCHASTIC (bool), SR_M and SR_EMIN (the element grid of stochastic rounding: ElementGrid).
// Bindings (group 0; at most 4 storage buffers per entry point, the compatibility-mode limit):
//   0 uniform Params; 1 x: f32[n] read as u32 bits;
//   2 table: u32 [bounds: bound_count keys | codes: bound_count + 1 | levels: 2^BITS f32 bits];
//   3 groups: u32[2 * group_count]: [2g] the stored scale (MX: E8M0 code; ABSMAX, ABSMAX_FP: f32
//     bits of the scale; NVFP4: E4M3 code), [2g+1] what encode needs (MX: exponent as i32; ABSMAX,
//     ABSMAX_FP, MEANABS*: f32 bits of 1/scale; IQ4NL: f32 bits of id = 1/d0, 0 for a zero block; NVFP4: f32 bits of tensorScale * blockScale);
//   4 words: u32[ceil(n*BITS/32)]; 5 xhat: f32[n] written as u32 bits;
//   6 tensor: atomic u32[2]: [0] tensor amax bits (NVFP4, zeroed by the host), [1] tensorScale bits.
// Entry points: tensor_amax (NVFP4; atomicMax of |x| bits, exact and order-free), group_params (one
//   workgroup per group), encode (one thread per word), decode (one thread per element).
// 2-D grids: linear id = x + y * row_threads.
//! include lib_float
//! include lib_codes
//! include lib_hash
//! include lib_groups
//! include lib_reduce

override WG: u32 = 256u;
override BITS: u32 = 4u;
override MODE: u32 = 0u;
override STORE: u32 = 0u;
override EMAX: i32 = 0;
override STOCHASTIC: bool = false;
override SR_M: i32 = 1;
override SR_EMIN: i32 = 0;

const MODE_NONE = 0u;
const MODE_MX = 1u;
const MODE_ABSMAX = 2u;
const MODE_ABSMAX_FP = 3u;
const MODE_NVFP4 = 4u;
const MODE_MEANABS = 5u;
const MODE_MEANABS_RAW = 6u;
const MODE_IQ4NL = 7u;
const IQ4NL_MAX_EPS = 0x26901d7du; // f32(1e-15): ggml GROUP_MAX_EPS
const MEAN_FRACTION_BITS = 32; // MEAN_ABS_FRACTION_BITS in binary.ts
const SIGN = 0x80000000u;
const MAG = 0x7fffffffu;
const INF_BITS = 0x7f800000u;
const AMAX_PER_THREAD = 16u;

struct Params {
  n: u32,
  contiguous: u32,
  lines: u32,
  line_len: u32,
  group_size: u32,
  groups_per_line: u32,
  group_count: u32,
  word_count: u32,
  bound_count: u32,
  levels_off: u32,
  nan_code: u32,
  fmax_bits: u32, // ABSMAX_FP: f32 bits of the element format's max; MEANABS*: f32 bits of the scale floor
  zero: u32, // always 0: XORed into products that feed an addition (no FMA contraction)
  seed: u32, // STOCHASTIC: seed of the counter hash
  clip_bits: u32, // MX, ABSMAX_FP: f32 bits of the absmax cap (0x7f800000: none)
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<u32>;
@group(0) @binding(2) var<storage, read> table: array<u32>;
@group(0) @binding(3) var<storage, read_write> groups: array<u32>;
@group(0) @binding(4) var<storage, read_write> words: array<u32>;
@group(0) @binding(5) var<storage, read_write> xhat: array<u32>;
@group(0) @binding(6) var<storage, read_write> tensor: array<atomic<u32>, 2>;

// floor(log2(value(b))) for positive finite f32 bits b (subnormals included).
fn floor_log2_bits(b: u32) -> i32 {
  let e = i32(b >> 23u);
  if (e > 0) { return e - 127; }
  return i32(31u - countLeadingZeros(b)) - 149;
}

// Bits of a non-negative finite f32 rounded (nearest, ties to even) to a format with m mantissa
// bits and minimum normal exponent emin (subnormals below it), saturating at max_bits: FpFormat.round.
fn round_bits(b: u32, m: u32, emin: i32, max_bits: u32) -> u32 {
  if (b == 0u) { return 0u; }
  let ef = i32(b >> 23u);
  var mant = b & 0x7fffffu;
  var e = -126;
  if (ef != 0) { e = ef - 127; mant |= 0x800000u; }
  // value = mant * 2^(e - 23); target quantum 2^(t - m)
  let t = max(e, emin);
  let shift = u32(t - e) + 23u - m;
  if (shift >= 25u) { return 0u; } // below half the smallest step
  var r = mant >> shift;
  let rest = mant & ((1u << shift) - 1u);
  let half = 1u << (shift - 1u);
  if (rest > half || (rest == half && (r & 1u) == 1u)) { r += 1u; }
  if (r == 0u) { return 0u; }
  return min(ldexp_bits(bitcast<u32>(f32(r)), t - i32(m)), max_bits);
}

// |x| (bits b, finite) truncated to a multiple of 2^(e - 32), in those units, as a u64 (lo, hi);
// e = floor(log2 amax) >= floor(log2 |x|), so the result is < 2^33.
fn fixed_abs(b: u32, e: i32) -> vec2<u32> {
  let mag = b & MAG;
  if (mag == 0u) { return vec2<u32>(0u, 0u); }
  var m = mag; // value = m * 2^ee
  var ee = -149;
  if ((mag >> 23u) != 0u) {
    m = (mag & 0x7fffffu) | 0x800000u;
    ee = i32(mag >> 23u) - 150;
  }
  let sh = ee + MEAN_FRACTION_BITS - e; // <= 32
  if (sh >= 32) { return vec2<u32>(0u, m); }
  if (sh > 0) { return vec2<u32>(m << u32(sh), m >> u32(32 - sh)); }
  if (sh <= -32) { return vec2<u32>(0u, 0u); }
  return vec2<u32>(m >> u32(-sh), 0u);
}

// Bits of RN_f32(s * 2^f / n) for a u64 s = (lo, hi) >= 1 and 1 <= n < 2^31 (roundRatioF32 in
// binary.ts): bit-serial long division until the guard bit, then ties to even with a sticky bit.
fn ratio_bits(lo: u32, hi: u32, n: u32, f: i32) -> u32 {
  var r = 0u;
  var q = 0u;
  var started = false;
  var lsb = 0;
  for (var j = 63; j > -256; j--) {
    var b = 0u;
    if (j >= 32) { b = (hi >> u32(j - 32)) & 1u; } else if (j >= 0) { b = (lo >> u32(j)) & 1u; }
    r = (r << 1u) | b;
    var qb = 0u;
    if (r >= n) { r -= n; qb = 1u; }
    if (!started) {
      if (j + f < -150) { return 0u; } // below half of 2^-149
      if (qb == 0u) { continue; }
      started = true;
      lsb = max(j + f - 23, -149);
    }
    if (j + f >= lsb) {
      q = (q << 1u) | qb;
      continue;
    }
    // qb is the guard bit; sticky: a nonzero remainder or bits of s not yet brought down
    var rest = r != 0u;
    if (j > 32) { rest = rest || lo != 0u || (hi & ((1u << u32(j - 32)) - 1u)) != 0u; }
    else if (j == 32) { rest = rest || lo != 0u; }
    else if (j > 0) { rest = rest || (lo & ((1u << u32(j)) - 1u)) != 0u; }
    if (qb == 1u && (rest || (q & 1u) == 1u)) { q += 1u; }
    break;
  }
  return ldexp_bits(bitcast<u32>(f32(q)), lsb); // exact: q <= 2^24 at the format's precision
}

// Order-preserving u32 key of f32 bits: negatives reversed below positives, -0 just below +0.
fn f32_key(b: u32) -> u32 {
  return select(b | SIGN, ~b, (b & SIGN) != 0u);
}

// Code of the f32 with bits y: binary search of the interval bounds (count of bounds <= key).
fn encode_bits(y: u32) -> u32 {
  if ((y & MAG) > INF_BITS) { return p.nan_code; }
  let k = f32_key(y);
  var lo = 0u;
  var hi = p.bound_count;
  while (lo < hi) {
    let mid = (lo + hi) >> 1u;
    if (table[mid] <= k) { lo = mid + 1u; } else { hi = mid; }
  }
  return table[p.bound_count + lo];
}

// stochasticOnGrid (elementOptions.ts) of the finite f32 with bits y, for element i: with the quantum
// q = 2^(max(floor(log2 |y|), SR_EMIN) - SR_M) and t = |y| / q, round |y| up iff
// (hash2(seed, i) >> 8) + floor(frac(t) * 2^24) >= 2^24; the result (low + up) * q is exact.
fn stochastic_bits(y: u32, i: u32) -> u32 {
  let mag = y & MAG;
  if (mag == 0u) { return y; }
  var mant = mag; // |y| = mant * 2^ee
  var ee = -149;
  if ((mag >> 23u) != 0u) {
    mant = (mag & 0x7fffffu) | 0x800000u;
    ee = i32(mag >> 23u) - 150;
  }
  let qexp = max(floor_log2_bits(mag), SR_EMIN) - SR_M;
  let sh = qexp - ee; // bits of mant below the quantum
  if (sh <= 0) { return y; } // on the grid
  var low = 0u;
  var frac24 = 0u;
  if (sh < 32) {
    low = mant >> u32(sh);
    let rest = mant & ((1u << u32(sh)) - 1u);
    if (sh <= 24) { frac24 = rest << u32(24 - sh); } else { frac24 = rest >> u32(sh - 24); }
  } else if (sh < 48) {
    frac24 = mant >> u32(sh - 24); // low = 0, rest = mant < 2^24
  }
  let r = low + select(0u, 1u, (hash2(p.seed, i) >> 8u) + frac24 >= 0x1000000u);
  if (r == 0u) { return y & SIGN; }
  return (y & SIGN) | ldexp_bits(bitcast<u32>(f32(r)), qexp); // r < 2^25: exact
}

fn store_scale(b: u32) -> u32 {
  if (STORE == 1u) { return round_bits(b, 10u, -14, 0x477fe000u); } // fp16, max 65504
  if (STORE == 2u) { return round_bits(b, 7u, -126, 0x7f7f0000u); } // bf16
  return b;
}

@compute @workgroup_size(WG)
fn tensor_amax(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
               @builtin(local_invocation_index) lid: u32) {
  let start = (wid.x + wid.y * nwg.x) * WG * AMAX_PER_THREAD;
  var m = 0u;
  for (var k = 0u; k < AMAX_PER_THREAD; k++) {
    let i = start + k * WG + lid;
    if (i < p.n) { m = max(m, x[i] & MAG); }
  }
  let amax = workgroup_max_u32(lid, m);
  if (lid == 0u) { atomicMax(&tensor[0], amax); }
}

// quantizeIq4nl's block parameters, sequentially as the CPU: the first element of largest |x|,
// d0 = max / -127, id = 1/d0, codes of f32(id * x), d = sum(w q x) / sum(w q q) (w = x * x) to fp16.
fn iq4nl_params(g: u32, line: u32, start: u32, end: u32) {
  var amax = 0u;
  var maxb = 0u;
  for (var pos = start; pos < end; pos++) {
    let v = x[element_index(line, pos)];
    if ((v & MAG) > amax) { amax = v & MAG; maxb = v; }
  }
  var stored = 0u;
  var aux = 0u;
  if (amax >= IQ4NL_MAX_EPS) {
    let id = div_rn(1.0, div_rn(bitcast<f32>(maxb), -127.0));
    var sumqx = 0.0;
    var sumq2 = 0.0;
    for (var pos = start; pos < end; pos++) {
      let xv = bitcast<f32>(x[element_index(line, pos)]);
      let q = bitcast<f32>(table[p.levels_off + encode_bits(bitcast<u32>(id * xv))]);
      let wq = (xv * xv) * q;
      sumqx = sumqx + bitcast<f32>(bitcast<u32>(wq * xv) ^ p.zero);
      sumq2 = sumq2 + bitcast<f32>(bitcast<u32>(wq * q) ^ p.zero);
    }
    var d = 0u;
    if (sumq2 > 0.0) { d = bitcast<u32>(div_rn(sumqx, sumq2)); }
    stored = (d & SIGN) | store_scale(d & MAG); // ggml: fp16 (STORE 1), saturating at 65504
    aux = bitcast<u32>(id);
  }
  groups[2u * g] = stored;
  groups[2u * g + 1u] = aux;
}

@compute @workgroup_size(WG)
fn group_params(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                @builtin(local_invocation_index) lid: u32) {
  let g = wid.x + wid.y * nwg.x;
  if (g >= p.group_count) { return; }
  let line = g / p.groups_per_line;
  let start = (g % p.groups_per_line) * p.group_size;
  let end = min(start + p.group_size, p.line_len);
  var m = 0u;
  for (var pos = start + lid; pos < end; pos += WG) { m = max(m, x[element_index(line, pos)] & MAG); }
  let amax = workgroup_max_u32(lid, m); // |x| bits: u32 order is f32 order for non-negative values
  var abs_sum = vec2u(0u); // MEANABS*: the group's sum of fixed_abs
  if (MODE == MODE_MEANABS || MODE == MODE_MEANABS_RAW) {
    var e = 0;
    if (amax != 0u) { e = floor_log2_bits(amax); }
    var acc = vec2u(0u);
    for (var pos = start + lid; pos < end; pos += WG) {
      acc = add_u64(acc, fixed_abs(x[element_index(line, pos)], e));
    }
    abs_sum = workgroup_sum_u64(lid, acc);
  }
  if (lid != 0u) { return; }
  if (MODE == MODE_IQ4NL) {
    iq4nl_params(g, line, start, end);
    return;
  }
  var stored = 0u;
  var aux = 0u;
  if (MODE == MODE_MX) {
    let capped = min(amax, p.clip_bits);
    var e = -127;
    if (capped != 0u) { e = clamp(floor_log2_bits(capped) - EMAX, -127, 127); }
    stored = u32(e + 127);
    aux = bitcast<u32>(e);
  } else if (MODE == MODE_ABSMAX) {
    stored = store_scale(amax);
    aux = bitcast<u32>(div_rn(1.0, bitcast<f32>(stored))); // scale 0 gives +inf, as 1/0 on the CPU
    if (stored != 0u && stored < 0x800000u) { // f32-subnormal scale: 1/s = (1 / (s * 2^64)) * 2^64, overflowing to inf as f32(1/s)
      aux = bitcast<u32>(div_rn(1.0, bitcast<f32>(ldexp_bits(stored, 64))) * 0x1p64f);
    }
  } else if (MODE == MODE_MEANABS || MODE == MODE_MEANABS_RAW) {
    var mean = 0u;
    if (amax != 0u) { mean = ratio_bits(abs_sum.x, abs_sum.y, end - start, floor_log2_bits(amax) - MEAN_FRACTION_BITS); }
    stored = store_scale(max(mean, p.fmax_bits));
    aux = bitcast<u32>(div_rn(1.0, bitcast<f32>(stored))); // scale 0 gives +inf
    if (stored != 0u && stored < 0x800000u) {
      aux = bitcast<u32>(div_rn(1.0, bitcast<f32>(ldexp_bits(stored, 64))) * 0x1p64f);
    }
  } else if (MODE == MODE_ABSMAX_FP) {
    stored = bitcast<u32>(div_rn(bitcast<f32>(min(amax, p.clip_bits)), bitcast<f32>(p.fmax_bits)));
    if ((stored & MAG) != 0u) { aux = bitcast<u32>(div_rn(1.0, bitcast<f32>(stored))); }
  } else if (MODE == MODE_NVFP4) {
    let tamax = atomicLoad(&tensor[0]);
    var ts = 1.0;
    // 448 * 6; floored at the smallest normal so a tiny tensor never gets a zero tensor scale
    if (tamax != 0u) { ts = max(div_rn(bitcast<f32>(tamax), 2688.0), bitcast<f32>(0x00800000u)); }
    let s = div_rn(div_rn(bitcast<f32>(amax), 6.0), ts);
    let sb = round_bits(bitcast<u32>(min(max(s, 0.015625), 448.0)), 3u, -6, 0x43e00000u); // E4M3, >= 2^-6: normal
    stored = (((sb >> 23u) - 120u) << 3u) | ((sb >> 20u) & 7u); // E4M3 code: biased exponent (bias 7) | 3 mantissa bits
    aux = bitcast<u32>(ts * bitcast<f32>(sb));
    if (g == 0u) { atomicStore(&tensor[1], bitcast<u32>(ts)); }
  }
  groups[2u * g] = stored;
  groups[2u * g + 1u] = aux;
}

// The code of element i (lib_codes packs these).
fn element_code(i: u32) -> u32 {
  let xb = x[i];
  if (MODE == MODE_NONE || MODE == MODE_MEANABS_RAW) { return encode_bits(xb); }
  let g = group_of(i);
  let aux = groups[2u * g + 1u];
  let sign = xb & SIGN;
  let mag = xb & MAG;
  if (MODE == MODE_MX) {
    let y = sign | ldexp_bits(mag, -bitcast<i32>(aux)); // exact x / 2^e
    if (STOCHASTIC) { return encode_bits(stochastic_bits(y, i)); }
    return encode_bits(y);
  }
  if (MODE == MODE_IQ4NL) { return encode_bits(bitcast<u32>(bitcast<f32>(aux) * bitcast<f32>(xb))); } // f32(id * x); id 0: code of 0
  if (MODE == MODE_NVFP4) {
    if (aux < 0x800000u) { // f32-subnormal total (tiny tensors): x / t = (x / (t * 2^64)) * 2^64
      return encode_bits(bitcast<u32>(div_rn(bitcast<f32>(xb), bitcast<f32>(ldexp_bits(aux, 64))) * 0x1p64f));
    }
    return encode_bits(bitcast<u32>(div_rn(bitcast<f32>(xb), bitcast<f32>(aux))));
  }
  // ABSMAX, ABSMAX_FP, MEANABS: f32(x * inv); inv >= 0, so the sign is x's.
  if (aux == INF_BITS) { return select(encode_bits(sign | INF_BITS), p.nan_code, mag == 0u); } // 0 * inf = NaN
  let prod = bitcast<u32>(bitcast<f32>(mag) * bitcast<f32>(aux)) & MAG;
  if (sign != 0u && mag != 0u && prod == 0u) {
    // The product underflowed (or was flushed): the CPU's f32 product is -2^-149, not -0, when
    // |x| * inv > 2^-150; decide on |x| * 2^64 (exact, normal) * inv against 2^-86.
    let lifted = bitcast<f32>(ldexp_bits(mag, 64)) * bitcast<f32>(aux);
    return encode_bits(select(SIGN, SIGN | 1u, lifted > 0x1p-86f)); // stochastic rounding gives -0 for it too
  }
  if (STOCHASTIC && MODE == MODE_ABSMAX_FP) { return encode_bits(stochastic_bits(sign | prod, i)); }
  return encode_bits(sign | prod);
}

@compute @workgroup_size(WG)
fn encode(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let w = gid.x + gid.y * nwg.x * WG;
  if (w >= p.word_count) { return; }
  words[w] = packed_word(w);
}

@compute @workgroup_size(WG)
fn decode(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.n) { return; }
  let level = table[p.levels_off + packed_code(i)];
  if (MODE == MODE_NONE) {
    xhat[i] = level;
    return;
  }
  let g = group_of(i);
  if (MODE == MODE_MX) {
    xhat[i] = (level & SIGN) | ldexp_bits(level & MAG, i32(groups[2u * g]) - 127);
    return;
  }
  var scale = groups[2u * g]; // ABSMAX, ABSMAX_FP, MEANABS*: the stored scale
  if (MODE == MODE_NVFP4) { scale = groups[2u * g + 1u]; } // f32(tensorScale * blockScale)
  xhat[i] = bitcast<u32>(bitcast<f32>(level) * bitcast<f32>(scale));
}
