// quant_ptqtp: two ternary trit-planes per group, W ≈ a1·T1 + a2·T2 (PTQTP): the alternating fit, packing, decode.
// Matches, bit for bit (trits, stored scales, dequantized values), src/quant/nonuniform/ptqtp.ts:
// quantizePtqtp / dequantizePtqtp, and src/quant/groups.ts (groupOf), src/quant/pack.ts (bit stream).
//
// fit: one workgroup of 64 threads per group (LANES = PTQTP_LANES in ptqtp.ts). Thread t owns the
// group's elements t, t + 64, ...; every sum is laneSumF32's order (each thread adds its elements in
// turn, then lanes combine pairwise t += t + s for s = 32, ..., 1), counts are integer sums, and every
// f32 operation goes through `keep` (XOR with the uniform `zero`, always 0) so no compiler fuses
// multiply-adds or reassociates. Divisions are div_rn (lib_float, as divRn), scale storage lib_scale
// (as storeScale: fp32, fp16, bf16). The trits live in `trits` between iterations; the loop's
// "did any trit change" is a uniform value (workgroupUniformLoad), so all threads iterate together.
// Exact wherever the adapter keeps f32 subnormals in `*`, `+`, `-` (llvmpipe does); groups whose
// values are below ~1e-19 may differ on adapters that flush them.
//
// Overrides: SCALE_ENC (0 fp32, 1 fp16, 2 bf16; lib_scale), MAX_ITER (PTQTP_MAX_ITER).
// Bindings (group 0; at most 4 storage buffers per entry point):
//   0 uniform Params; 1 x: f32[n]; 2 trits: u32[n], (t1 + 1) | (t2 + 1) << 2 per element;
//   3 scales: f32[2 * groups], a1 at 2g, a2 at 2g + 1 (stored values);
//   4 words: u32[2 * word_count], plane 1's packed 2-bit codes t1 + 1, then plane 2's (packCodes);
//   5 xhat: f32[n].
// Entry points: fit (one workgroup per group), encode (one thread per word), decode (one thread per
//   element). 2-D grids: linear id = x + y * row_threads.
//! include lib_float
//! include lib_pack
//! include lib_scale
//! include lib_groups

override SCALE_ENC: u32 = 0u;
override MAX_ITER: u32 = 50u;

const LANES = 64u;
const EPS = 0x3727c5acu; // f32(1e-5), BITNET_EPS
const SINGULAR = 0x3089705fu; // f32(1e-9)
const RIDGE = 0x358637bdu; // f32(1e-6)

struct Params {
  n: u32,
  contiguous: u32,
  lines: u32,
  line_len: u32,
  group_size: u32,
  groups_per_line: u32,
  group_count: u32,
  word_count: u32, // words of one plane
  zero: u32,       // always 0 (see `keep`)
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> trits: array<u32>;
@group(0) @binding(3) var<storage, read_write> scales: array<f32>;
@group(0) @binding(4) var<storage, read_write> words: array<u32>;
@group(0) @binding(5) var<storage, read_write> xhat: array<f32>;

var<workgroup> lane_f: array<f32, LANES>;
var<workgroup> lane_i: array<vec4<i32>, LANES>;
var<workgroup> lane_total: vec4<i32>;

fn keep(v: f32) -> f32 { return bitcast<f32>(bitcast<u32>(v) ^ p.zero); }

// laneSumF32: this thread's partial `v` combined with the others' in the fixed pairwise order.
fn lane_sum(lid: u32, v: f32) -> f32 {
  lane_f[lid] = v;
  workgroupBarrier();
  for (var s = LANES / 2u; s > 0u; s >>= 1u) {
    if (lid < s) { lane_f[lid] = keep(lane_f[lid] + lane_f[lid + s]); }
    workgroupBarrier();
  }
  let r = lane_f[0];
  workgroupBarrier(); // lane_f is reused by the next sum
  return r;
}

// Integer sums of the lanes' vectors (order-free), returned uniform. Through a scalar variable: on Dawn/llvmpipe
// workgroupUniformLoad of an array element let threads disagree (workgroups stalled mid-loop).
fn lane_counts(lid: u32, v: vec4<i32>) -> vec4<i32> {
  lane_i[lid] = v;
  workgroupBarrier();
  for (var s = LANES / 2u; s > 0u; s >>= 1u) {
    if (lid < s) { lane_i[lid] = lane_i[lid] + lane_i[lid + s]; }
    workgroupBarrier();
  }
  if (lid == 0u) { lane_total = lane_i[0]; }
  let r = workgroupUniformLoad(&lane_total);
  workgroupBarrier(); // lane_i and lane_total are reused by the next count
  return r;
}

// ternaryCode(v, inv) = clamp(round(f32(v * inv)), -1, 1).
fn ternary(v: f32, inv: f32) -> i32 { return clamp(i32(round(keep(v * inv))), -1, 1); }

fn t1_of(c: u32) -> i32 { return i32(c & 3u) - 1; }
fn t2_of(c: u32) -> i32 { return i32((c >> 2u) & 3u) - 1; }

// planeValue: f32(f32(a1 * t1) + f32(a2 * t2)).
fn plane_value(a: vec2<f32>, t1: i32, t2: i32) -> f32 {
  return keep(keep(a.x * f32(t1)) + keep(a.y * f32(t2)));
}

// The best of the 9 trit pairs (order 0, -1, 1 for t1, then t2; strict `<` keeps the first) as a code.
fn best_pair(w: f32, a: vec2<f32>) -> u32 {
  var best = 0u;
  var best_err = 0.0;
  var k = 0u;
  for (var u1 = 0; u1 < 3; u1++) {
    for (var u2 = 0; u2 < 3; u2++) {
      let t1 = select(select(1, -1, u1 == 1), 0, u1 == 0);
      let t2 = select(select(1, -1, u2 == 1), 0, u2 == 0);
      let e = abs(keep(w - plane_value(a, t1, t2)));
      if (k == 0u || e < best_err) { best_err = e; best = u32(t1 + 1) | (u32(t2 + 1) << 2u); }
      k++;
    }
  }
  return best;
}

// solveScales: (a1, a2) by the 2x2 normal equations for the trits now in `trits`.
fn solve(lid: u32, line: u32, start: u32, end: u32) -> vec2<f32> {
  var c = vec4<i32>(0);
  var q1 = 0.0;
  var q2 = 0.0;
  for (var pos = start + lid; pos < end; pos += LANES) {
    let i = element_index(line, pos);
    let t1 = t1_of(trits[i]);
    let t2 = t2_of(trits[i]);
    c += vec4<i32>(t1 * t1, t1 * t2, t2 * t2, 0);
    q1 = keep(q1 + keep(f32(t1) * x[i]));
    q2 = keep(q2 + keep(f32(t2) * x[i]));
  }
  let n = lane_counts(lid, c);
  let s1 = lane_sum(lid, q1);
  let s2 = lane_sum(lid, q2);
  var p11 = f32(n.x);
  var p12 = f32(n.y);
  var p22 = f32(n.z);
  let prod = keep(p11 * p22);
  var det = keep(prod - keep(p12 * p12));
  if (det <= keep(bitcast<f32>(SINGULAR) * max(1.0, prod))) {
    let r = keep(bitcast<f32>(RIDGE) * max(1.0, f32(n.x + n.z)));
    p11 = keep(p11 + r);
    p22 = keep(p22 + r);
    det = keep(keep(p11 * p22) - keep(p12 * p12));
  }
  return vec2<f32>(div_rn(keep(keep(s1 * p22) - keep(s2 * p12)), det), div_rn(keep(keep(s2 * p11) - keep(s1 * p12)), det));
}

// assignTrits: every element's best pair; returns (uniformly) whether any trit changed.
fn assign(lid: u32, line: u32, start: u32, end: u32, a: vec2<f32>) -> bool {
  var changed = 0;
  for (var pos = start + lid; pos < end; pos += LANES) {
    let i = element_index(line, pos);
    let c = best_pair(x[i], a);
    if (c != trits[i]) { changed = 1; }
    trits[i] = c;
  }
  return lane_counts(lid, vec4<i32>(changed, 0, 0, 0)).x != 0;
}

@compute @workgroup_size(LANES)
fn fit(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
       @builtin(local_invocation_index) lid: u32) {
  let g = wid.x + wid.y * nwg.x;
  if (g >= p.group_count) { return; }
  let line = g / p.groups_per_line;
  let start = (g % p.groups_per_line) * p.group_size;
  let end = min(start + p.group_size, p.line_len);
  let m = f32(end - start);
  // T1: absmean ternary of W
  var acc = 0.0;
  for (var pos = start + lid; pos < end; pos += LANES) { acc = keep(acc + abs(x[element_index(line, pos)])); }
  let inv1 = div_rn(1.0, max(div_rn(lane_sum(lid, acc), m), bitcast<f32>(EPS)));
  var n1 = 0;
  acc = 0.0;
  for (var pos = start + lid; pos < end; pos += LANES) {
    let i = element_index(line, pos);
    let t1 = ternary(x[i], inv1);
    trits[i] = u32(t1 + 1);
    n1 += t1 * t1;
    acc = keep(acc + keep(f32(t1) * x[i]));
  }
  let count1 = lane_counts(lid, vec4<i32>(n1, 0, 0, 0)).x;
  let q1 = lane_sum(lid, acc);
  var a1 = 0.0;
  if (count1 > 0) { a1 = div_rn(q1, f32(count1)); }
  // T2: absmean ternary of the residual f32(W - a1·T1)
  acc = 0.0;
  for (var pos = start + lid; pos < end; pos += LANES) {
    let i = element_index(line, pos);
    acc = keep(acc + abs(keep(x[i] - a1 * f32(t1_of(trits[i]))))); // a1 * t1 is exact
  }
  let inv2 = div_rn(1.0, max(div_rn(lane_sum(lid, acc), m), bitcast<f32>(EPS)));
  for (var pos = start + lid; pos < end; pos += LANES) {
    let i = element_index(line, pos);
    let r = keep(x[i] - a1 * f32(t1_of(trits[i])));
    trits[i] |= u32(ternary(r, inv2) + 1) << 2u;
  }
  // Alternate until no trit changes (at most MAX_ITER fits).
  var it = 0u;
  loop {
    let a = solve(lid, line, start, end);
    it++;
    if (!assign(lid, line, start, end, a) || it >= MAX_ITER) { break; }
  }
  let a = solve(lid, line, start, end);
  let stored = vec2<f32>(encode_signed(a.x), encode_signed(a.y));
  assign(lid, line, start, end, stored);
  if (lid == 0u) {
    scales[2u * g] = stored.x;
    scales[2u * g + 1u] = stored.y;
  }
}

@compute @workgroup_size(256)
fn encode(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let w = gid.x + gid.y * nwg.x * 256u;
  if (w >= 2u * p.word_count) { return; }
  let plane = w / p.word_count;
  let pw = w % p.word_count;
  let i0 = pw * 16u;
  let i1 = min(i0 + 15u, p.n - 1u);
  var word = 0u;
  for (var i = i0; i <= i1; i++) {
    word |= code_into_word((trits[i] >> (2u * plane)) & 3u, i, 2u, pw);
  }
  words[w] = word;
}

@compute @workgroup_size(256)
fn decode(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.n) { return; }
  let g = group_of(i);
  let c = trits[i];
  xhat[i] = plane_value(vec2<f32>(scales[2u * g], scales[2u * g + 1u]), t1_of(c), t2_of(c));
}
