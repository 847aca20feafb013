// ggml_quant: quantization of f32 rows to the exact block bytes of the legacy ggml formats Q8_0, Q4_0, Q4_1, Q5_0, Q5_1.
// Matches, byte for byte, src/quant/ggml: quantizeRowQ8_0 (q8_0.ts), quantizeRowQ4_0 / quantizeRowQ4_1
// (q4.ts), quantizeRowQ5_0 / quantizeRowQ5_1 (q5.ts), i.e. ggml's quantize_row_*_ref built without
// fused multiply-add. (K-quants are quantized on the CPU; ggml_decode.wgsl decodes them.)
//
// One thread per PAIR of blocks: every legacy block is an even number of bytes (34/18/20/22/24), so
// two consecutive blocks end on a word boundary and each thread owns whole output words (no atomics,
// no races); the pair's bytes are assembled in a private word array and stored once. Blocks of all
// rows are contiguous (a row is a whole number of blocks), so rows need no special handling.
//
// Exactness:
// - max |x|, min and max are found on integer bits (|x| bits order like |x|; ggml's strict `<` / `>`
//   keep the first of equal values, and -0 equals +0, which decides the sign of Q4_1/Q5_1's stored
//   min), so comparisons are immune to subnormal flushing.
// - d = max / c and id = 1 / d are correctly rounded by `div_full` (integer long division, f32
//   subnormal operands and results kept, as C on a CPU; lib_float's div_rn flushes them).
// - fp16 storage is GGML_FP32_TO_FP16: integer RNE, subnormals kept, |x| >= 65520 -> inf.
// - roundf (Q8_0) is ties away from zero; the C casts (int8_t)/(uint8_t) of a float are x86-64's
//   cvttss2si (truncate; NaN, inf and |v| >= 2^31 give 0x80000000) then the low byte.
// - Products x * id, differences x - min, the sums + 8.5 / + 16.5 / + 0.5, roundf and the casts
//   are integer soft-float (mul_full, add_full, to_i32): correctly rounded, subnormals kept, IEEE
//   specials (id = inf when d is an f32 subnormal below 2^-128, d = inf when max - min overflows).
//   The kernel does no floating-point arithmetic at all, so neither subnormal flushing (SwiftShader
//   flushes f32 subnormal operands of `*`; blocks below ~1e-37 then got other codes) nor fused
//   multiply-add contraction nor fast-math can change a byte: exact on any adapter.
// Inputs should be finite: NaN/inf follow the IEEE and x86 rules above, but ggml's C is undefined there.
//
// Overrides: WG (threads per workgroup).
// Bindings (group 0): 0 uniform Params; 1 x: f32[nb * 32] read as u32 bits;
//   2 words: u32[ceil(nb * BYTES / 4)] the block bytes, little-endian (byte k = byte k % 4 of word k / 4).
// Entry points: quant_q8_0, quant_q4_0, quant_q4_1, quant_q5_0, quant_q5_1 (one thread per block pair).
// 2-D grids: linear id = x + y * (workgroups in x) * WG.

//! include lib_softfloat

override WG: u32 = 64u;

const X86_INT_MIN = 0x80000000u; // cvttss2si's "integer indefinite"

struct Params {
  nb: u32, // blocks (of 32 elements) in the tensor
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<u32>;
@group(0) @binding(2) var<storage, read_write> words: array<u32>;

// The bytes of one block pair (at most 2 * 34 bytes = 17 words).
var<private> out: array<u32, 17>;

fn put_byte(k: u32, v: u32) {
  out[k >> 2u] |= (v & 0xffu) << ((k & 3u) * 8u);
}

fn put_half(k: u32, h: u32) {
  put_byte(k, h);
  put_byte(k + 1u, h >> 8u);
}

// (int32) of a float as x86-64 cvttss2si: truncation; NaN, inf and |v| >= 2^31 give 0x80000000.
// With `away`, roundf first (half away from zero; it cannot carry a value below 2^31 past it).
fn to_i32(b: u32, away: bool) -> i32 {
  let e = i32((b >> 23u) & 0xffu);
  if (e >= 158) { return bitcast<i32>(X86_INT_MIN); } // |v| >= 2^31, inf, NaN
  if (e < 126) { return 0; } // |v| < 0.5
  let m = (b & 0x7fffffu) | 0x800000u; // |v| = m * 2^(e - 150)
  var r: u32;
  if (e >= 150) {
    r = m << u32(e - 150);
  } else {
    let sh = u32(150 - e); // 1..24
    r = m >> sh;
    if (away) { r += (m >> (sh - 1u)) & 1u; }
  }
  return select(i32(r), -i32(r), (b & SIGN) != 0u);
}

fn low_int8(v: i32) -> i32 { return (v << 24u) >> 24u; }

fn f32_key(b: u32) -> u32 { // order-preserving key, -0 mapped onto +0 (equal under `<`)
  var c = b;
  if (c == SIGN) { c = 0u; }
  return select(c | SIGN, ~c, (c & SIGN) != 0u);
}

const F32_ONE = 0x3f800000u;

// ---- per-block quantizers: x from element xo, bytes at offset o of `out` ----

fn q8_0_block(xo: u32, o: u32) {
  var amax = 0u;
  for (var j = 0u; j < 32u; j++) { amax = max(amax, x[xo + j] & MAG); }
  let d = div_full(amax, 0x42fe0000u); // 127
  var id = 0u;
  if ((d & MAG) != 0u) { id = div_full(F32_ONE, d); }
  put_half(o, fp16_bits(d));
  for (var j = 0u; j < 32u; j++) {
    put_byte(o + 2u + j, u32(to_i32(mul_full(x[xo + j], id), true))); // roundf
  }
}

// Q4_0 / Q5_0: max = signed element of largest |x| (first on ties), d = max / -half_range.
fn signed_max(xo: u32) -> u32 {
  var amax = 0u;
  var mx = 0u;
  for (var j = 0u; j < 32u; j++) {
    let v = x[xo + j];
    if (amax < (v & MAG)) { amax = v & MAG; mx = v; }
  }
  return mx;
}

// MIN(top, (int8_t)(v * id + bias)), as the uint8_t ggml stores.
fn code_sym(xb: u32, id: u32, bias: u32, top: i32) -> u32 {
  return u32(min(top, low_int8(to_i32(add_full(mul_full(xb, id), bias), false)))) & 0xffu;
}

fn q4_0_block(xo: u32, o: u32) {
  let d = div_full(signed_max(xo), 0xc1000000u); // -8
  var id = 0u;
  if ((d & MAG) != 0u) { id = div_full(F32_ONE, d); }
  put_half(o, fp16_bits(d));
  for (var j = 0u; j < 16u; j++) {
    let c0 = code_sym(x[xo + j], id, 0x41080000u, 15); // 8.5
    let c1 = code_sym(x[xo + 16u + j], id, 0x41080000u, 15);
    put_byte(o + 2u + j, c0 | (c1 << 4u));
  }
}

// Q5_0 / Q5_1: nibbles into qs, bit 4 of code j into bit j of the little-endian u32 qh.
fn pack5(o_qh: u32, o_qs: u32, codes: array<u32, 32>) {
  var qh = 0u;
  for (var j = 0u; j < 16u; j++) {
    let c0 = codes[j];
    let c1 = codes[j + 16u];
    put_byte(o_qs + j, (c0 & 0xfu) | ((c1 & 0xfu) << 4u));
    qh |= ((c0 & 0x10u) >> 4u) << j;
    qh |= ((c1 & 0x10u) >> 4u) << (j + 16u);
  }
  put_byte(o_qh, qh);
  put_byte(o_qh + 1u, qh >> 8u);
  put_byte(o_qh + 2u, qh >> 16u);
  put_byte(o_qh + 3u, qh >> 24u);
}

fn q5_0_block(xo: u32, o: u32) {
  let d = div_full(signed_max(xo), 0xc1800000u); // -16
  var id = 0u;
  if ((d & MAG) != 0u) { id = div_full(F32_ONE, d); }
  put_half(o, fp16_bits(d));
  var codes: array<u32, 32>;
  for (var j = 0u; j < 32u; j++) { codes[j] = code_sym(x[xo + j], id, 0x41840000u, 31); } // 16.5
  pack5(o + 2u, o + 6u, codes);
}

// Q4_1 / Q5_1: min and max with ggml's strict compares from ±FLT_MAX; returns (min, max) bits.
fn min_max(xo: u32) -> vec2u {
  var mn = 0x7f7fffffu;
  var mx = 0xff7fffffu;
  for (var j = 0u; j < 32u; j++) {
    let v = x[xo + j];
    let k = f32_key(v);
    if (k < f32_key(mn)) { mn = v; }
    if (k > f32_key(mx)) { mx = v; }
  }
  return vec2u(mn, mx);
}

// (v - min) * id + 0.5 as bits (before the integer cast).
fn affine(xb: u32, mn: u32, id: u32) -> u32 {
  return add_full(mul_full(sub_full(xb, mn), id), 0x3f000000u);
}

fn q4_1_block(xo: u32, o: u32) {
  let mm = min_max(xo);
  let d = div_full(sub_full(mm.y, mm.x), 0x41700000u); // 15
  var id = 0u;
  if ((d & MAG) != 0u) { id = div_full(F32_ONE, d); }
  put_half(o, fp16_bits(d));
  put_half(o + 2u, fp16_bits(mm.x));
  for (var j = 0u; j < 16u; j++) {
    let c0 = u32(min(15, low_int8(to_i32(affine(x[xo + j], mm.x, id), false)))) & 0xffu;
    let c1 = u32(min(15, low_int8(to_i32(affine(x[xo + 16u + j], mm.x, id), false)))) & 0xffu;
    put_byte(o + 4u + j, c0 | (c1 << 4u));
  }
}

fn q5_1_block(xo: u32, o: u32) {
  let mm = min_max(xo);
  let d = div_full(sub_full(mm.y, mm.x), 0x41f80000u); // 31
  var id = 0u;
  if ((d & MAG) != 0u) { id = div_full(F32_ONE, d); }
  put_half(o, fp16_bits(d));
  put_half(o + 2u, fp16_bits(mm.x));
  var codes: array<u32, 32>;
  for (var j = 0u; j < 32u; j++) { codes[j] = u32(to_i32(affine(x[xo + j], mm.x, id), false)) & 0xffu; } // (uint8_t)
  pack5(o + 4u, o + 8u, codes);
}

// ---- entry points: thread t quantizes blocks 2t and 2t + 1 (if any) and writes their words ----

fn pair_id(gid: vec3u, nwg: vec3u) -> u32 { return gid.x + gid.y * nwg.x * WG; }

// Blocks of pair t (2, 1 for a lone last block, 0 past the end), with `out` cleared for them.
fn pair_blocks(t: u32) -> u32 {
  let b0 = 2u * t;
  if (b0 >= p.nb) { return 0u; }
  for (var w = 0u; w < 17u; w++) { out[w] = 0u; }
  return min(2u, p.nb - b0);
}

// Stores the pair's words: BYTES / 2 words per pair, fewer for a lone last block, none for no block.
fn store(t: u32, bytes_per_block: u32, blocks: u32) {
  let first = t * (bytes_per_block / 2u);
  let count = (blocks * bytes_per_block + 3u) / 4u;
  for (var w = 0u; w < count; w++) { words[first + w] = out[w]; }
}

@compute @workgroup_size(WG)
fn quant_q8_0(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let t = pair_id(gid, nwg);
  let blocks = pair_blocks(t);
  for (var k = 0u; k < blocks; k++) { q8_0_block((2u * t + k) * 32u, k * 34u); }
  store(t, 34u, blocks);
}

@compute @workgroup_size(WG)
fn quant_q4_0(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let t = pair_id(gid, nwg);
  let blocks = pair_blocks(t);
  for (var k = 0u; k < blocks; k++) { q4_0_block((2u * t + k) * 32u, k * 18u); }
  store(t, 18u, blocks);
}

@compute @workgroup_size(WG)
fn quant_q4_1(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let t = pair_id(gid, nwg);
  let blocks = pair_blocks(t);
  for (var k = 0u; k < blocks; k++) { q4_1_block((2u * t + k) * 32u, k * 20u); }
  store(t, 20u, blocks);
}

@compute @workgroup_size(WG)
fn quant_q5_0(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let t = pair_id(gid, nwg);
  let blocks = pair_blocks(t);
  for (var k = 0u; k < blocks; k++) { q5_0_block((2u * t + k) * 32u, k * 22u); }
  store(t, 22u, blocks);
}

@compute @workgroup_size(WG)
fn quant_q5_1(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let t = pair_id(gid, nwg);
  let blocks = pair_blocks(t);
  for (var k = 0u; k < blocks; k++) { q5_1_block((2u * t + k) * 32u, k * 24u); }
  store(t, 24u, blocks);
}
