// ggml_decode: dequantization of the ggml block formats (Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q4_K, Q6_K) from their exact block bytes.
// Matches, bit for bit (f32 output), src/quant/ggml: dequantizeRowQ8_0 (q8_0.ts), dequantizeRowQ4_0 /
// dequantizeRowQ4_1 (q4.ts), dequantizeRowQ5_0 / dequantizeRowQ5_1 (q5.ts), dequantizeRowQ4_K (q4_K.ts),
// dequantizeRowQ6_K (q6_K.ts), i.e. ggml's dequantize_row_* (byte layouts: ggml-common.h, docs/FORMATS.md).
//
// One thread per output element: element i lives in block i / BLOCK (blocks of all rows are
// contiguous, as in a GGUF tensor), and the thread reads the few bytes it needs (scale, code byte,
// high bits) straight out of the u32 words by byte offset, since 18/20/22/24/34/144/210-byte blocks
// are not word-aligned. Every thread of a block re-reads the same scale bytes (cached); in exchange
// the kernel has no loops, no shared memory, full occupancy on small tensors and coalesced writes.
//
// Exactness: fp16 scales are decoded by integer bit manipulation (subnormals, inf, NaN included).
// Every product in these formats is either exact in f32 (fp16 * small integer) or a single
// correctly rounded WGSL `*` / `-` / `+` (WGSL requires correct rounding for them), so a fused
// multiply-add would not change the result either; no operand or result is an f32 subnormal (the
// smallest nonzero value is 2^-24). Non-finite scales (fp16 inf/NaN bytes) go through explicit IEEE
// rules instead of trusting the adapter's inf/NaN arithmetic, and every NaN is written as 0x7fc00000.
// Signed zeros follow the adapter's IEEE arithmetic (llvmpipe: exact; e.g. Q4_0's all-zero block
// decodes to -0 as on the CPU).
//
// Overrides: WG (threads per workgroup).
// Bindings (group 0): 0 uniform Params; 1 bytes: u32 words holding the block bytes little-endian
//   (byte k of the tensor is byte (k + byte_offset) % 4 of word (k + byte_offset) / 4);
//   2 xhat: f32[n] written as u32 bits.
// Entry points: dequant_q8_0, dequant_q4_0, dequant_q4_1, dequant_q5_0, dequant_q5_1,
//   dequant_q4_k, dequant_q6_k. 2-D grids: linear id = x + y * (workgroups in x) * WG.
// From lib_softfloat: fp16_value (the fp16 decode), is_nan / is_inf and the bit constants.
//! include lib_softfloat

override WG: u32 = 256u;

struct Params {
  n: u32,           // elements to write (a multiple of the block size)
  byte_offset: u32, // where the tensor's first block starts in `bytes`
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> bytes: array<u32>;
@group(0) @binding(2) var<storage, read_write> xhat: array<u32>;

fn byte_at(k: u32) -> u32 {
  let b = k + p.byte_offset;
  return (bytes[b >> 2u] >> ((b & 3u) * 8u)) & 0xffu;
}

fn int8_at(k: u32) -> i32 {
  return (bitcast<i32>(byte_at(k)) << 24u) >> 24u;
}

// f32 bits of the little-endian fp16 at byte k (GGML_FP16_TO_FP32: exact, subnormals, inf, NaN).
fn half_at(k: u32) -> u32 {
  return fp16_value(byte_at(k) | (byte_at(k + 1u) << 8u));
}

// Bits of f32(a * b), IEEE specials by rule (inf * 0 = NaN), finite operands by the adapter's `*`.
fn mul_bits(a: u32, b: u32) -> u32 {
  if (is_nan(a) || is_nan(b)) { return NAN_BITS; }
  if (is_inf(a) || is_inf(b)) {
    if ((a & MAG) == 0u || (b & MAG) == 0u) { return NAN_BITS; }
    return ((a ^ b) & 0x80000000u) | INF_BITS;
  }
  return bitcast<u32>(bitcast<f32>(a) * bitcast<f32>(b));
}

// Bits of f32(a + b), IEEE specials by rule (inf - inf = NaN).
fn add_bits(a: u32, b: u32) -> u32 {
  if (is_nan(a) || is_nan(b)) { return NAN_BITS; }
  if (is_inf(a)) {
    if (is_inf(b) && a != b) { return NAN_BITS; }
    return a;
  }
  if (is_inf(b)) { return b; }
  return bitcast<u32>(bitcast<f32>(a) + bitcast<f32>(b));
}

fn int_bits(q: i32) -> u32 { return bitcast<u32>(f32(q)); }

fn element_id(gid: vec3u, nwg: vec3u) -> u32 { return gid.x + gid.y * nwg.x * WG; }

// block_q8_0: d(2) qs[32] int8. y = qs[j] * d.
@compute @workgroup_size(WG)
fn dequant_q8_0(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = element_id(gid, nwg);
  if (i >= p.n) { return; }
  let o = (i / 32u) * 34u;
  xhat[i] = mul_bits(int_bits(int8_at(o + 2u + i % 32u)), half_at(o));
}

// Low nibble of byte j for elements 0..15 of a 32-block, high nibble for 16..31.
fn nibble32(qs: u32, j: u32) -> u32 {
  let q = byte_at(qs + (j & 15u));
  return select(q & 0xfu, q >> 4u, j >= 16u);
}

// block_q4_0: d(2) qs[16]. y = (nibble - 8) * d.
@compute @workgroup_size(WG)
fn dequant_q4_0(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = element_id(gid, nwg);
  if (i >= p.n) { return; }
  let o = (i / 32u) * 18u;
  xhat[i] = mul_bits(int_bits(i32(nibble32(o + 2u, i % 32u)) - 8), half_at(o));
}

// block_q4_1: d(2) m(2) qs[16]. y = f32(nibble * d) + m.
@compute @workgroup_size(WG)
fn dequant_q4_1(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = element_id(gid, nwg);
  if (i >= p.n) { return; }
  let o = (i / 32u) * 20u;
  xhat[i] = add_bits(mul_bits(int_bits(i32(nibble32(o + 4u, i % 32u))), half_at(o)), half_at(o + 2u));
}

// 5-bit code of element j: nibble from qs, bit 4 = bit j of the little-endian u32 qh.
fn code5(qh: u32, qs: u32, j: u32) -> u32 {
  return nibble32(qs, j) | (((byte_at(qh + j / 8u) >> (j % 8u)) & 1u) << 4u);
}

// block_q5_0: d(2) qh[4] qs[16]. y = (code - 16) * d.
@compute @workgroup_size(WG)
fn dequant_q5_0(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = element_id(gid, nwg);
  if (i >= p.n) { return; }
  let o = (i / 32u) * 22u;
  xhat[i] = mul_bits(int_bits(i32(code5(o + 2u, o + 6u, i % 32u)) - 16), half_at(o));
}

// block_q5_1: d(2) m(2) qh[4] qs[16]. y = f32(code * d) + m.
@compute @workgroup_size(WG)
fn dequant_q5_1(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = element_id(gid, nwg);
  if (i >= p.n) { return; }
  let o = (i / 32u) * 24u;
  xhat[i] = add_bits(mul_bits(int_bits(i32(code5(o + 4u, o + 8u, i % 32u))), half_at(o)), half_at(o + 2u));
}

// block_q4_K: d(2) dmin(2) scales[12] qs[128]. Element e: sub-block j = e / 32 with
// get_scale_min_k4(j); code byte 16 + 32 * (e / 64) + e % 32, low nibble for even j, high for odd.
// y = f32(f32(d * sc) * q) - f32(dmin * m).
@compute @workgroup_size(WG)
fn dequant_q4_k(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = element_id(gid, nwg);
  if (i >= p.n) { return; }
  let o = (i / 256u) * 144u;
  let e = i % 256u;
  let j = e / 32u;
  let s = o + 4u;
  var sc: u32;
  var m: u32;
  if (j < 4u) {
    sc = byte_at(s + j) & 63u;
    m = byte_at(s + j + 4u) & 63u;
  } else {
    sc = (byte_at(s + j + 4u) & 0xfu) | ((byte_at(s + j - 4u) >> 6u) << 4u);
    m = (byte_at(s + j + 4u) >> 4u) | ((byte_at(s + j) >> 6u) << 4u);
  }
  let qb = byte_at(o + 16u + 32u * (e / 64u) + e % 32u);
  let q = select(qb & 0xfu, qb >> 4u, (j & 1u) == 1u);
  let d1 = mul_bits(half_at(o), int_bits(i32(sc)));
  let m1 = mul_bits(half_at(o + 2u), int_bits(i32(m)));
  xhat[i] = add_bits(mul_bits(d1, int_bits(i32(q))), m1 ^ 0x80000000u); // a - b = a + (-b), exactly
}

// block_q6_K: ql[128] qh[64] scales[16] int8, d(2) at 208. Element e = 128 h + 32 k + l (k 0..3):
// low 4 bits from ql[64 h + l] (k = 0, 2) or ql[64 h + 32 + l] (k = 1, 3), low nibble for k < 2;
// high 2 bits = bits 2k..2k+1 of qh[32 h + l]; scale scales[8 h + l / 16 + 2 k].
// y = f32(f32(d * scale) * (code - 32)).
@compute @workgroup_size(WG)
fn dequant_q6_k(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = element_id(gid, nwg);
  if (i >= p.n) { return; }
  let o = (i / 256u) * 210u;
  let e = i % 256u;
  let h = e / 128u;
  let k = (e % 128u) / 32u;
  let l = e % 32u;
  let lb = byte_at(o + 64u * h + 32u * (k & 1u) + l);
  let lo = select(lb & 0xfu, lb >> 4u, k >= 2u);
  let hi = (byte_at(o + 128u + 32u * h + l) >> (2u * k)) & 3u;
  let code = i32(lo | (hi << 4u)) - 32;
  let ds = mul_bits(half_at(o + 208u), int_bits(int8_at(o + 192u + 8u * h + l / 16u + 2u * k)));
  xhat[i] = mul_bits(ds, int_bits(code));
}
