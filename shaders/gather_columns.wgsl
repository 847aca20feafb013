// gather_columns: dst[r, j] = src[r, perm[j]] on a row-major rows × cols matrix: the column reorder of
// src/quant/transforms/reorder.ts (gatherColumns); un-permuting is the same gather with the inverse
// permutation. Values move as u32 bit patterns, so the copy is exact (no float canonicalisation or
// subnormal flushing on the way).
// Overrides: WG (threads per workgroup). Bindings (group 0): 0 uniform Params; 1 src: u32[total]
//   (f32 bits); 2 perm: u32[cols]; 3 dst: u32[total].
// Entry point: gather, one thread per element; 2-D grid: element = gid.x + gid.y * (workgroups in x) * WG.

override WG: u32 = 256u;

struct Params {
  total: u32, // rows · cols
  cols: u32,
  pad0: u32,
  pad1: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<u32>;
@group(0) @binding(2) var<storage, read> perm: array<u32>;
@group(0) @binding(3) var<storage, read_write> dst: array<u32>;

@compute @workgroup_size(WG)
fn gather(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let e = gid.x + gid.y * nwg.x * WG;
  if (e >= p.total) { return; }
  let row_start = e - e % p.cols;
  dst[e] = src[row_start + perm[e % p.cols]];
}
