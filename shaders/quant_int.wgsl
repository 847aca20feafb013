// quant_int: block-wise integer quantize (group params, packed encode) and dequantize.
// Matches src/quant/int.ts (groupParams, encodeValue, decodeValue) and src/quant/groups.ts (groupOf).
// Overrides: WG (threads per workgroup, power of two, at most 256), BITS (2..8), SYMMETRIC.
// Bindings (group 0): 0 uniform Params; 1 x: f32[n]; 2 scales: f32[groups]; 3 zeros: f32[groups];
//   4 invs: f32[groups] (1/scale); 5 words: u32[ceil(n*BITS/32)]; 6 xhat: f32[n].
// Entry points: group_params (one workgroup per group, 2-D grid), encode (one thread per word),
//   decode (one thread per element). 2-D grids: linear id = x + y * row_threads.
//! include lib_float
//! include lib_pack

override WG: u32 = 256u;
override BITS: u32 = 4u;
override SYMMETRIC: bool = true;

struct Params {
  n: u32,
  contiguous: u32,
  lines: u32,
  line_len: u32,
  group_size: u32,
  groups_per_line: u32,
  group_count: u32,
  word_count: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> scales: array<f32>;
@group(0) @binding(3) var<storage, read_write> zeros: array<f32>;
@group(0) @binding(4) var<storage, read_write> invs: array<f32>;
@group(0) @binding(5) var<storage, read_write> words: array<u32>;
@group(0) @binding(6) var<storage, read_write> xhat: array<f32>;

// Fixed-size scratch (WG <= 256): Dawn on SwiftShader hangs when a workgroup array is sized by
// an override in a pipeline whose workgroup size is also an override (docs/DECISIONS.md).
const WG_MAX = 256u;
var<workgroup> wg_min: array<f32, WG_MAX>;
var<workgroup> wg_max: array<f32, WG_MAX>;

fn element_index(line: u32, pos: u32) -> u32 {
  if (p.contiguous == 1u) { return line * p.line_len + pos; }
  return pos * p.lines + line;
}

fn group_of(i: u32) -> u32 {
  var line = i % p.lines;
  var pos = i / p.lines;
  if (p.contiguous == 1u) {
    line = i / p.line_len;
    pos = i % p.line_len;
  }
  return line * p.groups_per_line + pos / p.group_size;
}

fn code_min() -> f32 { return select(0.0, 1.0, SYMMETRIC); }
fn code_max() -> f32 { return f32((1u << BITS) - 1u); }

@compute @workgroup_size(WG)
fn group_params(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                @builtin(local_invocation_index) lid: u32) {
  let g = wid.x + wid.y * nwg.x;
  if (g >= p.group_count) { return; }
  let line = g / p.groups_per_line;
  let start = (g % p.groups_per_line) * p.group_size;
  let end = min(start + p.group_size, p.line_len);
  let big = bitcast<f32>(0x7f7fffffu);
  var lo = big;
  var hi = -big;
  for (var pos = start + lid; pos < end; pos += WG) {
    let v = x[element_index(line, pos)];
    lo = min(lo, v);
    hi = max(hi, v);
  }
  wg_min[lid] = lo;
  wg_max[lid] = hi;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) {
      wg_min[lid] = min(wg_min[lid], wg_min[lid + s]);
      wg_max[lid] = max(wg_max[lid], wg_max[lid + s]);
    }
    workgroupBarrier();
  }
  if (lid != 0u) { return; }
  let mn = wg_min[0];
  let mx = wg_max[0];
  var scale: f32;
  var zero: f32;
  if (SYMMETRIC) {
    scale = div_rn(max(abs(mn), abs(mx)), f32((1u << (BITS - 1u)) - 1u));
    zero = f32(1u << (BITS - 1u));
  } else {
    var l = min(mn, 0.0);
    var h = max(mx, 0.0);
    if (l == 0.0 && h == 0.0) { l = -1.0; h = 1.0; }
    scale = div_rn(h - l, code_max());
    zero = select(round(div_rn(abs(l), scale)), 0.0, scale == 0.0); // abs: l <= 0, and never -0
  }
  scales[g] = scale;
  zeros[g] = zero;
  invs[g] = select(div_rn(1.0, scale), 0.0, scale == 0.0);
}

@compute @workgroup_size(WG)
fn encode(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let w = gid.x + gid.y * nwg.x * WG;
  if (w >= p.word_count) { return; }
  let first_bit = w * 32u;
  let i0 = first_bit / BITS;
  let i1 = min((first_bit + 31u) / BITS, p.n - 1u);
  var word = 0u;
  for (var i = i0; i <= i1; i++) {
    let g = group_of(i);
    let code = u32(clamp(round(x[i] * invs[g]) + zeros[g], code_min(), code_max()));
    let bit = i * BITS;
    if (bit < first_bit) {
      word |= code >> (first_bit - bit);
    } else {
      word |= code << (bit - first_bit);
    }
  }
  words[w] = word;
}

@compute @workgroup_size(WG)
fn decode(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.n) { return; }
  let bit = i * BITS;
  let w = bit >> 5u;
  let shift = bit & 31u;
  var hi = 0u;
  if (shift + BITS > 32u) { hi = words[w + 1u]; }
  let code = code_from_words(words[w], hi, shift, BITS);
  let g = group_of(i);
  xhat[i] = (f32(code) - zeros[g]) * scales[g];
}
