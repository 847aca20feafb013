// forward_columns: the index moves of a linear layer whose recipe keeps whole columns or rows in fp16
// (src/model/gpu/linearTransforms.ts; twin of executeLinear in src/model/forward/linearTransforms.ts).
// Values move as u32 bit patterns, so the copies are exact (no float canonicalisation or subnormal
// flushing on the way).
// Entry points (one thread per element; 2-D grid: element = gid.x + gid.y * (workgroups in x) * WG):
//   split_columns    for x [rows, k]: rest = x with the kept columns set to +0, kept [rows, c] = those
//                    columns in order. slot[col] is the column's index among the kept ones, or
//                    0xffffffff. Bindings: 1 x, 2 slot u32[k], 3 rest u32[rows · k], 4 kept u32[rows · c].
//   scatter_columns  y[r, index[j]] = src[r, j] for src [rows, c], y [rows, n] (the kept rows of W are
//                    output columns of y). Bindings: 1 src u32[rows · c], 2 index u32[c], 3 y u32[rows · n].
// Overrides: WG (threads per workgroup). Binding 0: uniform Params.

override WG: u32 = 256u;
const NONE = 0xffffffffu;

struct Params {
  total: u32, // elements the entry point walks: rows · k (split), rows · c (scatter)
  width: u32, // k (split) or c (scatter)
  kept: u32,  // c (split) or n (scatter)
  pad: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<u32>;
@group(0) @binding(2) var<storage, read> index: array<u32>;
@group(0) @binding(3) var<storage, read_write> dst: array<u32>;
@group(0) @binding(4) var<storage, read_write> kept: array<u32>;

fn element(gid: vec3u, nwg: vec3u) -> u32 {
  return gid.x + gid.y * nwg.x * WG;
}

@compute @workgroup_size(WG)
fn split_columns(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let e = element(gid, nwg);
  if (e >= p.total) { return; }
  let slot = index[e % p.width];
  if (slot == NONE) {
    dst[e] = src[e];
  } else {
    dst[e] = 0u;
    kept[(e / p.width) * p.kept + slot] = src[e];
  }
}

@compute @workgroup_size(WG)
fn scatter_columns(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let e = element(gid, nwg);
  if (e >= p.total) { return; }
  dst[(e / p.width) * p.kept + index[e % p.width]] = src[e];
}
