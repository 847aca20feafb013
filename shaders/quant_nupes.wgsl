// quant_nupes: the two NUPES pieces that are not plain INT: power companding and the exponent search's per-group errors.
// Matches, bit for bit, src/quant/nonuniform/nupes.ts: compand / expand (signedPowF32, powF32.ts)
// and groupErrorSums (clipSearchError of int.ts with each group's clipSearchFactor, summed as exact
// 64-bit integers). The INT coding of the companded tensor itself is quant_int.wgsl (MODE sym, fp32).
// A search runs, per grid exponent a: compand(x, a) -> quant_int -> compand(x̂_int, 1/a) -> group_error.
//
// Overrides: WG (group_error's threads per group, power of two, 32..256).
// Bindings (group 0): 0 uniform Params; 1 src: f32[n]; 2 dst: f32[n] (compand);
//   3 x: f32[n], 4 xhat: f32[n], 5 sums: u32[2 * group_count * candidates] (group_error: group g of
//   candidate k at 2 * (k * group_count + g), lo then hi).
// Entry points: compand (one thread per element), group_error (one workgroup per group).
// 2-D grids: linear id = x + y * row_threads.
//! include lib_float
//! include lib_pow
//! include lib_groups
//! include lib_reduce

override WG: u32 = 256u;

struct Params {
  n: u32,
  contiguous: u32,
  lines: u32,
  line_len: u32,
  group_size: u32,
  groups_per_line: u32,
  group_count: u32,
  exponent: f32,  // compand: the power p applied to every element
  candidate: u32, // group_error: k, the slot of this exponent's sums
  zero: u32,      // always 0 (see `keep`)
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;
@group(0) @binding(3) var<storage, read> x: array<f32>;
@group(0) @binding(4) var<storage, read> xhat: array<f32>;
@group(0) @binding(5) var<storage, read_write> sums: array<u32>;

fn keep(v: f32) -> f32 { return bitcast<f32>(bitcast<u32>(v) ^ p.zero); }

@compute @workgroup_size(256)
fn compand(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.n) { return; }
  dst[i] = signed_pow_f32(src[i], p.exponent);
}

@compute @workgroup_size(WG)
fn group_error(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
               @builtin(local_invocation_index) lid: u32) {
  let g = wid.x + wid.y * nwg.x;
  if (g >= p.group_count) { return; }
  let line = g / p.groups_per_line;
  let start = (g % p.groups_per_line) * p.group_size;
  let end = min(start + p.group_size, p.line_len);
  var m = 0u;
  for (var pos = start + lid; pos < end; pos += WG) { m = max(m, bitcast<u32>(x[element_index(line, pos)]) & 0x7fffffffu); }
  let f = search_factor(workgroup_max_u32(lid, m));
  var acc = vec2u(0u);
  for (var pos = start + lid; pos < end; pos += WG) {
    let i = element_index(line, pos);
    acc = add_u64(acc, fixed_square(keep(x[i] - xhat[i]) * f));
  }
  let total = workgroup_sum_u64(lid, acc);
  if (lid == 0u) {
    let o = 2u * (p.candidate * p.group_count + g);
    sums[o] = total.x;
    sums[o + 1u] = total.y;
  }
}
