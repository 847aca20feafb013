// ggml_kquant: quantization of f32 rows to the exact block bytes of the ggml K-quants Q4_K and Q6_K.
// Matches, byte for byte, src/quant/ggml: quantizeRowQ4_K (q4_K.ts: make_qkx2_quants in kquantSearch.ts)
// and quantizeRowQ6_K (q6_K.ts: make_qx_quants, rmse_type 1), i.e. ggml's quantize_row_q4_K_ref /
// quantize_row_q6_K_ref built without fused multiply-add (layouts: ggml-common.h, docs/FORMATS.md).
//
// One thread per sub-block, a workgroup of 64 threads = 8 Q4_K super-blocks (8 sub-blocks of 32) or
// 4 Q6_K super-blocks (16 sub-blocks of 16). Each thread runs the scale search of its sub-block in
// private memory and leaves its scale (and min) and codes in workgroup memory; after a barrier each
// thread reads its super-block's scales (in sub-block order, as the C loop), quantizes its own
// sub-block scale, recomputes its codes against the stored scales, and after a second barrier the
// workgroup writes its whole words (8 * 144 and 4 * 210 bytes are multiples of 4, so no word is
// shared with another workgroup; a partial last workgroup writes only its own super-blocks).
//
// Exactness: the searches are iterative (20 and 18 candidate grids, keep-the-best on strict
// compares), so one different last bit anywhere can change a code; the kernel therefore does what the
// CPU reference does, operation for operation, in the reference's order:
// - `*`, `+`, `-` are WGSL's f32 operations, which WGSL requires to be correctly rounded. Every
//   result passes through `keep` (its bits XORed with the uniform `zero`, always 0), so no compiler can
//   fuse a product into a multiply-add, reassociate, or fold across operations.
// - Divisions (`div_full`) and the square root (`sqrt_full`) are integer soft-float from
//   lib_softfloat: correctly rounded, subnormals kept (WGSL's `/` is 2.5 ulp, `sqrt` unspecified).
// - nearest_int = WGSL `round` (ties to even, exact), with NaN and ±inf decided on their bits (see
//   `nearest`); fp16 storage = integer GGML_FP32_TO_FP16.
// - Constants 0.1f and 1e-15f are given as bits (a literal's f32 rounding is left to the compiler).
// So the bytes equal the CPU reference's on every adapter that keeps f32 subnormals in `*`, `+`, `-`
// and follows IEEE infinities and NaN (Mesa llvmpipe does both). Adapters that flush subnormals can
// differ only where an intermediate falls below 2^-126 (sub-blocks of magnitude below ~1e-19); those
// without IEEE specials only where a sub-block's range is itself an f32 subnormal (reciprocal scales
// overflow to inf). Inputs must be finite, and |x| below ~1e18 so that sums of squares stay finite.
//
// Overrides: none (64 threads: the tail logic assumes it).
// Bindings (group 0): 0 uniform Params; 1 x: f32[nb * 256]; 2 words: u32[ceil(nb * BYTES / 4)], the
//   block bytes little-endian (byte k = byte k % 4 of word k / 4).
// Entry points: quant_q4_k, quant_q6_k. 2-D grids: workgroup id = x + y * (workgroups in x).
//! include lib_softfloat

const WG = 64u;
const ONE = 0x3f800000u;
const TENTH = 0x3dcccccdu; // f32(0.1)
const GROUP_MAX_EPS = 0x26901d7du; // f32(1e-15)

struct Params {
  nb: u32,   // super-blocks (of 256 elements) in the tensor
  zero: u32, // always 0 (see `keep`)
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> words: array<u32>;

var<workgroup> sub_scale: array<f32, WG>;
var<workgroup> sub_min: array<f32, WG>;
var<workgroup> sub_byte: array<u32, WG>; // Q6_K: each sub-block's int8 scale byte
var<workgroup> head: array<u32, 8>; // Q4_K: d | dmin << 16 per super-block; Q6_K: fp16 d, or 0x10000 for an all-zero block
var<workgroup> codes: array<u32, 2048>; // codes of the workgroup's elements, in element order

var<private> xs: array<f32, 32>;
var<private> wt: array<f32, 32>;
var<private> lq: array<u32, 32>;
var<private> laux: array<u32, 32>;

// An f32 result the compiler must materialize (no contraction or algebra across it).
fn keep(v: f32) -> f32 { return bitcast<f32>(bitcast<u32>(v) ^ p.zero); }
fn mul(a: f32, b: f32) -> f32 { return keep(a * b); }
fn add(a: f32, b: f32) -> f32 { return keep(a + b); }
fn sub(a: f32, b: f32) -> f32 { return keep(a - b); }
fn fdiv(a: f32, b: f32) -> f32 { return bitcast<f32>(div_full(bitcast<u32>(a), bitcast<u32>(b))); }
// nearest_int as src/quant/ggml's nearestInt feeds its consumers (clamps, and `& 0xff` casts): finite
// v rounds half to even; NaN acts as the CPU's NaN (clamps give the low end, & 0xff gives 0) and ±inf
// as ±infinity (clamps saturate, & 0xff gives 0). Non-finite values arise from finite inputs only
// when a range is an f32 subnormal, so that 15 / (max - min) or 63 / max_min overflows.
fn nearest(v: f32) -> i32 {
  let b = bitcast<u32>(v);
  if ((b & MAG) > INF_BITS) { return i32(-2147483647 - 1); }
  if (b == INF_BITS) { return 0x7fffff00; }
  if (b == (SIGN | INF_BITS)) { return -0x7fffff00; }
  return i32(round(v));
}
fn half_f32(h: u32) -> f32 { return bitcast<f32>(fp16_value(h)); }
fn low_int8(v: i32) -> i32 { return (v << 24u) >> 24u; }

fn workgroup_index(wid: vec3u, nwg: vec3u) -> u32 { return wid.x + wid.y * nwg.x; }

// ---- Q4_K ----

// Weighted squared error term of make_qkx2_quants: w * (s * l + m - x)^2.
fn qkx2_err(s: f32, l: u32, m: f32, i: u32) -> f32 {
  let diff = sub(add(mul(s, f32(l)), m), xs[i]);
  return mul(wt[i], mul(diff, diff));
}

// make_qkx2_quants(32, 15, xs, wt, lq, rmin -1, rdelta 0.1, nstep 20, use_mad false) -> (scale, the_min).
fn make_qkx2_quants() -> vec2f {
  var mn = xs[0];
  var mx = xs[0];
  var sum_w = wt[0];
  var sum_x = mul(sum_w, xs[0]);
  for (var i = 1u; i < 32u; i++) {
    if (xs[i] < mn) { mn = xs[i]; }
    if (xs[i] > mx) { mx = xs[i]; }
    sum_w = add(sum_w, wt[i]);
    sum_x = add(sum_x, mul(wt[i], xs[i]));
  }
  if (mn > 0.0) { mn = 0.0; }
  if (mx == mn) {
    for (var i = 0u; i < 32u; i++) { lq[i] = 0u; }
    return vec2f(0.0, -mn);
  }
  var iscale = fdiv(15.0, sub(mx, mn));
  var scale = fdiv(1.0, iscale);
  var best = 0.0;
  for (var i = 0u; i < 32u; i++) {
    lq[i] = u32(clamp(nearest(mul(iscale, sub(xs[i], mn))), 0, 15));
    best = add(best, qkx2_err(scale, lq[i], mn, i));
  }
  for (var k = 0; k <= 20; k++) {
    // mn is the best fit so far (ggml's later grids start from it, not from the data's min)
    iscale = fdiv(add(add(-1.0, mul(bitcast<f32>(TENTH), f32(k))), 15.0), sub(mx, mn));
    var sum_l = 0.0;
    var sum_l2 = 0.0;
    var sum_xl = 0.0;
    for (var i = 0u; i < 32u; i++) {
      let l = u32(clamp(nearest(mul(iscale, sub(xs[i], mn))), 0, 15));
      laux[i] = l;
      let wl = mul(wt[i], f32(l));
      sum_l = add(sum_l, wl);
      sum_l2 = add(sum_l2, mul(wl, f32(l)));
      sum_xl = add(sum_xl, mul(wl, xs[i]));
    }
    let det = sub(mul(sum_w, sum_l2), mul(sum_l, sum_l));
    if (det > 0.0) {
      var this_scale = fdiv(sub(mul(sum_w, sum_xl), mul(sum_x, sum_l)), det);
      var this_min = fdiv(sub(mul(sum_l2, sum_x), mul(sum_l, sum_xl)), det);
      if (this_min > 0.0) {
        this_min = 0.0;
        this_scale = fdiv(sum_xl, sum_l2);
      }
      var cur = 0.0;
      for (var i = 0u; i < 32u; i++) { cur = add(cur, qkx2_err(this_scale, laux[i], this_min, i)); }
      if (cur < best) {
        for (var i = 0u; i < 32u; i++) { lq[i] = laux[i]; }
        best = cur;
        scale = this_scale;
        mn = this_min;
      }
    }
  }
  return vec2f(scale, -mn);
}

@compute @workgroup_size(WG)
fn quant_q4_k(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
              @builtin(local_invocation_index) li: u32) {
  let first = workgroup_index(wid, nwg) * 8u; // first super-block of the workgroup
  if (first >= p.nb) { return; }
  let count = min(8u, p.nb - first);
  let s = li / 8u; // super-block within the workgroup
  let j = li % 8u; // sub-block
  let valid = s < count;
  let xo = (first + s) * 256u + 32u * j;
  if (valid) {
    var sum_x2 = 0.0;
    for (var l = 0u; l < 32u; l++) {
      xs[l] = x[xo + l];
      sum_x2 = add(sum_x2, mul(xs[l], xs[l]));
    }
    let av_x = bitcast<f32>(sqrt_full(div_full(bitcast<u32>(sum_x2), 0x42000000u))); // sqrt(sum_x2 / 32)
    for (var l = 0u; l < 32u; l++) { wt[l] = add(av_x, abs(xs[l])); }
    let r = make_qkx2_quants();
    sub_scale[li] = r.x;
    sub_min[li] = r.y;
    for (var l = 0u; l < 32u; l++) { codes[32u * li + l] = lq[l]; }
  }
  workgroupBarrier();
  if (valid) {
    var max_scale = 0.0;
    var max_min = 0.0;
    for (var k = 0u; k < 8u; k++) {
      if (sub_scale[8u * s + k] > max_scale) { max_scale = sub_scale[8u * s + k]; }
      if (sub_min[8u * s + k] > max_min) { max_min = sub_min[8u * s + k]; }
    }
    var inv_scale = 0.0;
    if (max_scale > 0.0) { inv_scale = fdiv(63.0, max_scale); }
    var inv_min = 0.0;
    if (max_min > 0.0) { inv_min = fdiv(63.0, max_min); }
    // uint8_t of nearest_int, then MIN(63, .)
    let ls = min(63u, u32(nearest(mul(inv_scale, sub_scale[li]))) & 0xffu);
    let lm = min(63u, u32(nearest(mul(inv_min, sub_min[li]))) & 0xffu);
    sub_byte[li] = ls | (lm << 8u);
    let d_bits = fp16_bits(div_full(bitcast<u32>(max_scale), 0x427c0000u)); // / 63
    let dmin_bits = fp16_bits(div_full(bitcast<u32>(max_min), 0x427c0000u));
    if (j == 0u) { head[s] = d_bits | (dmin_bits << 16u); }
    let d = mul(half_f32(d_bits), f32(ls));
    if (d != 0.0) {
      let dm = mul(half_f32(dmin_bits), f32(lm));
      for (var l = 0u; l < 32u; l++) {
        codes[32u * li + l] = u32(clamp(nearest(fdiv(add(x[xo + l], dm), d)), 0, 15));
      }
    }
  }
  workgroupBarrier();
  // 36 words per super-block: [0] d | dmin; [1..3] scales[12]; [4..35] qs[128].
  for (var w = li; w < 36u * count; w += WG) {
    let sb = w / 36u;
    let k = w % 36u;
    var word = 0u;
    if (k == 0u) {
      word = head[sb];
    } else {
      for (var t = 0u; t < 4u; t++) {
        let b = 4u * k + t - 4u; // byte offset from scales[0]
        var v = 0u;
        if (b < 12u) {
          // get_scale_min_k4's packing: j < 4 in bytes j and j + 4 (low 6 bits); j >= 4 split.
          let sc = 8u * sb;
          if (b < 4u) {
            v = (sub_byte[sc + b] & 63u) | (((sub_byte[sc + b + 4u] & 63u) >> 4u) << 6u);
          } else if (b < 8u) {
            v = ((sub_byte[sc + b - 4u] >> 8u) & 63u) | (((sub_byte[sc + b] >> 8u) >> 4u) << 6u);
          } else {
            v = (sub_byte[sc + b - 4u] & 15u) | (((sub_byte[sc + b - 4u] >> 8u) & 15u) << 4u);
          }
        } else {
          let q = b - 12u; // qs byte: run q / 32, position q % 32
          let e = 256u * sb + 64u * (q / 32u) + q % 32u;
          v = codes[e] | (codes[e + 32u] << 4u);
        }
        word |= v << (8u * t);
      }
    }
    words[first * 36u + w] = word;
  }
}

// ---- Q6_K ----

// make_qx_quants' sums for one grid: writes clamp(nearest_int(iscale * x), -32, 31) + 32 into laux and
// returns (sum w x l, sum w l^2) with w = x^2 (rmse_type 1), in element order.
fn qx_sums(iscale: f32) -> vec2f {
  var sumlx = 0.0;
  var suml2 = 0.0;
  for (var i = 0u; i < 16u; i++) {
    let l = clamp(nearest(mul(iscale, xs[i])), -32, 31);
    laux[i] = u32(l + 32);
    let w = mul(xs[i], xs[i]);
    sumlx = add(sumlx, mul(mul(w, xs[i]), f32(l)));
    suml2 = add(suml2, mul(mul(w, f32(l)), f32(l)));
  }
  return vec2f(sumlx, suml2);
}

// make_qx_quants(16, 32, xs, lq, rmse_type 1, NULL) -> scale (codes l + 32 in lq).
fn make_qx_quants() -> f32 {
  var mx = 0.0;
  var amax = 0.0;
  for (var i = 0u; i < 16u; i++) {
    let ax = abs(xs[i]);
    if (ax > amax) { amax = ax; mx = xs[i]; }
  }
  if (amax < bitcast<f32>(GROUP_MAX_EPS)) {
    for (var i = 0u; i < 16u; i++) { lq[i] = 0u; }
    return 0.0;
  }
  var sums = qx_sums(fdiv(-32.0, mx));
  for (var i = 0u; i < 16u; i++) { lq[i] = laux[i]; }
  var scale = 0.0;
  if (sums.y != 0.0) { scale = fdiv(sums.x, sums.y); }
  var best = mul(scale, sums.x);
  for (var k = -9; k <= 9; k++) {
    if (k == 0) { continue; }
    sums = qx_sums(fdiv(-add(32.0, mul(bitcast<f32>(TENTH), f32(k))), mx));
    if (sums.y > 0.0 && mul(sums.x, sums.x) > mul(best, sums.y)) {
      for (var i = 0u; i < 16u; i++) { lq[i] = laux[i]; }
      scale = fdiv(sums.x, sums.y);
      best = mul(scale, sums.x);
    }
  }
  return scale;
}

// Byte `off` (0..209) of the workgroup's super-block sb (block_q6_K layout, docs/FORMATS.md).
fn q6_k_byte(sb: u32, off: u32) -> u32 {
  if (head[sb] == 0x10000u) { return 0u; } // all-zero super-block: memset 0
  let c = 256u * sb;
  if (off < 128u) { // ql: half h, low nibble element 128h + l (+ 32), high nibble + 64
    let h = off / 64u;
    let e = c + 128u * h + off % 64u;
    return (codes[e] & 15u) | ((codes[e + 64u] & 15u) << 4u);
  }
  if (off < 192u) { // qh: bits 2k..2k+1 = high bits of element 128h + 32k + l
    let h = (off - 128u) / 32u;
    let e = c + 128u * h + (off - 128u) % 32u;
    return (codes[e] >> 4u) | ((codes[e + 32u] >> 4u) << 2u) | ((codes[e + 64u] >> 4u) << 4u) | ((codes[e + 96u] >> 4u) << 6u);
  }
  if (off < 208u) { return sub_byte[16u * sb + off - 192u]; }
  return (head[sb] >> (8u * (off - 208u))) & 0xffu;
}

@compute @workgroup_size(WG)
fn quant_q6_k(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
              @builtin(local_invocation_index) li: u32) {
  let first = workgroup_index(wid, nwg) * 4u;
  if (first >= p.nb) { return; }
  let count = min(4u, p.nb - first);
  let s = li / 16u;
  let valid = s < count;
  let xo = (first + s) * 256u + 16u * (li % 16u);
  if (valid) {
    for (var l = 0u; l < 16u; l++) { xs[l] = x[xo + l]; }
    sub_scale[li] = make_qx_quants();
    for (var l = 0u; l < 16u; l++) { codes[16u * li + l] = lq[l]; }
  }
  workgroupBarrier();
  if (valid) {
    var max_scale = 0.0;
    var max_abs = 0.0;
    for (var k = 0u; k < 16u; k++) {
      let v = sub_scale[16u * s + k];
      if (abs(v) > max_abs) { max_abs = abs(v); max_scale = v; }
    }
    if (max_abs < bitcast<f32>(GROUP_MAX_EPS)) {
      if (li % 16u == 0u) { head[s] = 0x10000u; }
    } else {
      let iscale = fdiv(-128.0, max_scale);
      let d_bits = fp16_bits(div_full(ONE, bitcast<u32>(iscale)));
      if (li % 16u == 0u) { head[s] = d_bits; }
      let sc = low_int8(min(127, nearest(mul(iscale, sub_scale[li])))); // int8_t of MIN(127, .)
      sub_byte[li] = u32(sc) & 0xffu;
      let d = mul(half_f32(d_bits), f32(sc));
      if (d != 0.0) {
        for (var l = 0u; l < 16u; l++) {
          codes[16u * li + l] = u32(clamp(nearest(fdiv(x[xo + l], d)), -32, 31) + 32);
        }
      }
    }
  }
  workgroupBarrier();
  let bytes = 210u * count;
  for (var w = li; 4u * w < bytes; w += WG) {
    var word = 0u;
    for (var t = 0u; t < 4u; t++) {
      let b = 4u * w + t;
      if (b < bytes) { word |= q6_k_byte(b / 210u, b % 210u) << (8u * t); }
    }
    words[first * 210u / 4u + w] = word;
  }
}
