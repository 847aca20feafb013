// quant_int: block-wise integer quantize (group params with clipping, packed encode) and dequantize.
// Matches src/quant/int.ts (modeParams/groupParams, encodeValue, decodeValue, clipSearchError,
// quantizeInt's MSE search) and src/quant/groups.ts (groupOf); definitions and sources are in int.ts.
// Overrides: WG (threads per workgroup, power of two, 32..256), GPW (group_params: groups per
//   workgroup, a power of two; 1 with the MSE search), BITS (1..8), MODE (0 sym, 1 sym-full,
//   2 asym, 3 asym-float), SCALE_ENC (0 fp32, 1 fp16, 2 bf16, 3 e4m3, 4 e8m0), STOCHASTIC (bool),
//   CLIP (0 none, 1 percentile: |x| clipped at the uniform clip_t, 2 per-group MSE search).
// Bindings (group 0): 0 uniform Params; 1 x: f32[n]; 2 scales: f32[groups]; 3 zeros: f32[groups];
//   4 invs: f32[groups] (1/scale); 5 words: u32[ceil(n*BITS/32)]; 6 xhat: f32[n];
//   7 ratios: u32[groups] (index of the MSE search's chosen clip ratio; 0 without the search).
// Entry points: group_params (GPW groups per workgroup, WG / GPW threads per group, 2-D grid), encode (one
//   thread per word; writes x̂ of the elements whose code starts in its word too, so a quantize is two
//   passes), decode (one thread per element: x̂ from stored codes); or all of a quantize in one pass,
//   quantize_chunks (see there: full contiguous groups of 32·2^k elements, 2^k <= WG, without the MSE
//   search). 2-D grids: linear id = x + y * row_threads.
// Fused multiply-add: wherever a product feeds an addition (x*inv + zero, x*inv + u, x - code*scale,
// max*r - min*r)
// the product goes through `opaque` (an xor with the uniform `opaque`, always 0), so no compiler can
// contract the pair into an fma, which rounds once instead of twice and would break parity.
//! include lib_float
//! include lib_codes
//! include lib_hash
//! include lib_scale
//! include lib_groups
//! include lib_reduce

override WG: u32 = 256u;
override BITS: u32 = 4u;
override MODE: u32 = 0u;
override SCALE_ENC: u32 = 0u;
override STOCHASTIC: bool = false;
override CLIP: u32 = 0u;
override GPW: u32 = 1u; // group_params: groups per workgroup (WG / GPW threads each; 1 with the MSE search)

const MODE_SYM = 0u;
const MODE_SYM_FULL = 1u;
const MODE_ASYM = 2u;
const MODE_ASYM_FLOAT = 3u;
const CLIP_PERCENTILE = 1u;
const CLIP_MSE = 2u;
const RATIO_COUNT = 11u; // CLIP_RATIOS in src/quant/clip.ts: (20 - k) / 20, k = 0..10

struct Params {
  n: u32,
  contiguous: u32,
  lines: u32,
  line_len: u32,
  group_size: u32,
  groups_per_line: u32,
  group_count: u32,
  word_count: u32,
  seed: u32,      // stochastic rounding
  clip_t: f32,    // percentile threshold T (CLIP == 1)
  opaque: u32,    // always 0: see the header
  pad: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> scales: array<f32>;
@group(0) @binding(3) var<storage, read_write> zeros: array<f32>;
@group(0) @binding(4) var<storage, read_write> invs: array<f32>;
@group(0) @binding(5) var<storage, read_write> words: array<u32>;
@group(0) @binding(6) var<storage, read_write> xhat: array<f32>;
@group(0) @binding(7) var<storage, read_write> ratios: array<u32>;

// Fixed-size scratch (WG <= 256): Dawn on SwiftShader hangs when a workgroup array is sized by
// an override in a pipeline whose workgroup size is also an override (docs/DECISIONS.md).
const WG_MAX = 256u;
var<workgroup> wg_min: array<f32, WG_MAX>;
var<workgroup> wg_max: array<f32, WG_MAX>;
var<workgroup> cand: array<vec3<f32>, 16>; // MSE search candidates: scale, inv, zero per ratio

fn opaque(v: f32) -> f32 { return bitcast<f32>(bitcast<u32>(v) ^ p.opaque); }

fn code_min() -> f32 { return select(0.0, 1.0, MODE == MODE_SYM); }
fn code_max() -> f32 { return f32((1u << BITS) - 1u); }

// modeParams in int.ts: (scale, inv, zero) of the range [lo, hi].
fn mode_params(lo: f32, hi: f32) -> vec3<f32> {
  var scale: f32;
  var zero: f32;
  if (MODE == MODE_SYM || MODE == MODE_SYM_FULL) {
    let a = max(abs(lo), abs(hi));
    let denom = select(code_max() * 0.5, f32((1u << (BITS - 1u)) - 1u), MODE == MODE_SYM);
    scale = encode_scale(div_rn(a, denom));
    zero = f32(1u << (BITS - 1u));
  } else if (MODE == MODE_ASYM) {
    var l = min(lo, 0.0);
    var h = max(hi, 0.0);
    if (l == 0.0 && h == 0.0) { l = -1.0; h = 1.0; }
    scale = encode_scale(div_rn(h - l, code_max()));
    zero = select(min(round(div_rn(abs(l), scale)), code_max()), 0.0, scale == 0.0); // abs: l <= 0, never -0
  } else {
    var l = lo;
    var h = hi;
    if (l == h) { l = min(l, 0.0); h = max(h, 0.0); }
    scale = encode_scale(div_rn(h - l, code_max()));
    zero = select(encode_signed(div_rn(0.0 - l, scale)), 0.0, scale == 0.0);
  }
  return vec3<f32>(scale, select(div_rn(1.0, scale), 0.0, scale == 0.0), zero);
}

// encodeValue in int.ts, for element i (its row-major index seeds stochastic rounding).
fn code_of(v: f32, i: u32, inv: f32, zero: f32) -> u32 {
  let t = opaque(v * inv);
  var q: f32;
  if (MODE == MODE_ASYM_FLOAT) {
    let y = t + zero;
    if (STOCHASTIC) { q = floor(y + uniform01(p.seed, i)); } else { q = round(y); }
  } else {
    if (STOCHASTIC) { q = floor(t + uniform01(p.seed, i)); } else { q = round(t); }
    q += zero;
  }
  return u32(clamp(q, code_min(), code_max()));
}

// clipSearchError in int.ts: the squared error as a 64-bit integer (lo, hi), exact and order-free.
fn search_error(v: f32, code: u32, c: vec3<f32>, f: f32) -> vec2<u32> {
  let xh = opaque((f32(code) - c.z) * c.x);
  return fixed_square((v - xh) * f);
}

// Min and max over each segment of seg_len threads (a power of two) of this thread's lo/hi, by a
// tree in workgroup memory (the same order for every GPW); every thread must call it (barriers).
fn segment_min_max(lid: u32, seg_len: u32, lo: f32, hi: f32) -> vec2<f32> {
  let sl = lid % seg_len;
  wg_min[lid] = lo;
  wg_max[lid] = hi;
  workgroupBarrier();
  for (var s = seg_len / 2u; s > 0u; s >>= 1u) {
    if (sl < s) {
      wg_min[lid] = min(wg_min[lid], wg_min[lid + s]);
      wg_max[lid] = max(wg_max[lid], wg_max[lid + s]);
    }
    workgroupBarrier();
  }
  let first = lid - sl;
  return vec2<f32>(wg_min[first], wg_max[first]);
}

@compute @workgroup_size(WG)
fn group_params(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                @builtin(local_invocation_index) lid: u32) {
  // GPW groups side by side, SEG = WG / GPW threads each (thread sl of segment seg); every step
  // below is per segment, so a group's min/max sees the same operations in the same order whatever GPW.
  let seg_len = WG / GPW;
  let seg = lid / seg_len;
  let sl = lid % seg_len;
  let g = (wid.x + wid.y * nwg.x) * GPW + seg;
  let valid = g < p.group_count;
  let line = g / p.groups_per_line;
  let start = (g % p.groups_per_line) * p.group_size;
  let end = select(start, min(start + p.group_size, p.line_len), valid);
  let big = bitcast<f32>(0x7f7fffffu);
  var lo = big;
  var hi = -big;
  for (var pos = start + sl; pos < end; pos += seg_len) {
    let v = x[element_index(line, pos)];
    lo = min(lo, v);
    hi = max(hi, v);
  }
  let extremes = segment_min_max(lid, seg_len, lo, hi);
  var mn = extremes.x;
  var mx = extremes.y;
  var chosen = 0u;
  var best = vec3<f32>(0.0);
  if (CLIP == CLIP_MSE) {
    // Candidates in parallel (thread k: ratio k), then one integer error reduction per ratio.
    if (lid < RATIO_COUNT) {
      let r = div_rn(f32(20u - lid), 20.0);
      cand[lid] = mode_params(opaque(mn * r), opaque(mx * r)); // asym-float subtracts them
    }
    let f = search_factor(bitcast<u32>(max(abs(mn), abs(mx))));
    workgroupBarrier();
    var best_lo = 0u;
    var best_hi = 0u;
    for (var k = 0u; k < RATIO_COUNT; k++) {
      let c = cand[k];
      var acc = vec2u(0u);
      for (var pos = start + lid; pos < end; pos += WG) {
        let i = element_index(line, pos);
        let v = x[i];
        acc = add_u64(acc, search_error(v, code_of(v, i, c.y, c.z), c, f));
      }
      let total = workgroup_sum_u64(lid, acc);
      let h = total.y;
      let l = total.x;
      if (k == 0u || h < best_hi || (h == best_hi && l < best_lo)) { // ties keep the larger ratio
        best_hi = h;
        best_lo = l;
        chosen = k;
      }
    }
    best = cand[chosen];
  } else {
    if (CLIP == CLIP_PERCENTILE) {
      mn = max(mn, -p.clip_t);
      mx = min(mx, p.clip_t);
    }
    if (sl == 0u) { best = mode_params(mn, mx); }
  }
  if (sl != 0u || !valid) { return; }
  scales[g] = best.x;
  invs[g] = best.y;
  zeros[g] = best.z;
  ratios[g] = chosen;
}

// The word this encode thread packs: element_code decodes the codes that start in it.
var<private> encode_word: u32;

// The code of element i with its group's parameters (lib_codes packs these). Fused decode: the
// thread whose word holds the code's first bit also writes x̂[i], as decode would from the word.
fn element_code(i: u32) -> u32 {
  let g = group_of(i);
  let zero = zeros[g];
  let code = code_of(x[i], i, invs[g], zero);
  if ((i * BITS) >> 5u == encode_word) { xhat[i] = (f32(code) - zero) * scales[g]; }
  return code;
}

@compute @workgroup_size(WG)
fn encode(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let w = gid.x + gid.y * nwg.x * WG;
  if (w >= p.word_count) { return; }
  encode_word = w;
  words[w] = packed_word(w);
}

@compute @workgroup_size(WG)
fn decode(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.n) { return; }
  let g = group_of(i);
  xhat[i] = (f32(packed_code(i)) - zeros[g]) * scales[g];
}

// group_params + encode + decode in one pass, for full contiguous groups of a multiple of 32 elements
// (row-major lines of whole groups: group g is the flat range [g·G, g·G + G)) without the MSE search.
// One thread per 32-element chunk, as ggml's GPU quantizers take one thread per 32-element block:
// a chunk's codes fill exactly BITS whole words, so a thread writes its own words without sharing
// any. WG / GPW threads per group (a power of two), GPW groups per workgroup. x is read once from
// memory (the second read hits the cache), the codes never round-trip through memory, and each
// workgroup needs log2(WG / GPW) + 1 barriers instead of one pass per stage. Results equal
// group_params, encode and decode: min/max are exact whatever the order, then the same mode_params,
// code_of and decode expression.
@compute @workgroup_size(WG)
fn quantize_chunks(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                   @builtin(local_invocation_index) lid: u32) {
  let seg_len = WG / GPW;
  let sl = lid % seg_len;
  let chunk = (wid.x + wid.y * nwg.x) * WG + lid;
  let base = chunk * 32u;
  let valid = base < p.n; // whole segments are valid or not: n is a multiple of G = 32 * seg_len
  let big = bitcast<f32>(0x7f7fffffu);
  var lo = big;
  var hi = -big;
  if (valid) {
    for (var j = 0u; j < 32u; j++) {
      let v = x[base + j];
      lo = min(lo, v);
      hi = max(hi, v);
    }
  }
  let extremes = segment_min_max(lid, seg_len, lo, hi);
  if (!valid) { return; }
  var mn = extremes.x;
  var mx = extremes.y;
  if (CLIP == CLIP_PERCENTILE) {
    mn = max(mn, -p.clip_t);
    mx = min(mx, p.clip_t);
  }
  let c = mode_params(mn, mx);
  let g = chunk / seg_len;
  if (sl == 0u) {
    scales[g] = c.x;
    invs[g] = c.y;
    zeros[g] = c.z;
    ratios[g] = 0u;
  }
  // Codes little-endian in the stream (lib_pack): the chunk's bits start at word chunk * BITS.
  var w = chunk * BITS;
  var word = 0u;
  var used = 0u; // bits of `word` filled
  for (var j = 0u; j < 32u; j++) {
    let i = base + j;
    let code = code_of(x[i], i, c.y, c.z);
    xhat[i] = (f32(code) - c.z) * c.x;
    word |= code << used;
    used += BITS;
    if (used >= 32u) {
      words[w] = word;
      w++;
      used -= 32u;
      word = select(0u, code >> (BITS - used), used > 0u); // the bits that did not fit
    }
  }
}
