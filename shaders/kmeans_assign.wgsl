// kmeans_assign: index of the nearest codeword of every d-dimensional vector (d <= 8), the k-means
// and vector-quantization assignment step. Matches assignNearest in src/quant/transforms/kmeans.ts
// exactly: per codeword s = 0, then for j = 0..d-1 in order t = x_j - c_j, s = s + t·t, every
// operation a correctly rounded f32 one (the product goes through `opaque`, an XOR with a uniform that
// is always 0, so no compiler can fuse it with the addition into an fma); the first codeword with the
// smallest s wins (strict <, so ties go to the lower index).
// Codewords are staged through workgroup memory in tiles of WG codewords.
// Overrides: WG (threads per workgroup, <= 256). Bindings (group 0): 0 uniform Params; 1 vectors:
//   f32[n · d]; 2 codebook: f32[k · d]; 3 out: u32[n].
// Entry point: assign, one thread per vector; 2-D grid: vector = gid.x + gid.y * (workgroups in x) * WG.

override WG: u32 = 256u;

const MAX_D = 8u;
const TILE_FLOATS = 2048u; // 256 codewords × MAX_D

struct Params {
  n: u32,      // vectors
  k: u32,      // codewords
  d: u32,      // dimension, 1..MAX_D
  opaque: u32, // always 0
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> vectors: array<f32>;
@group(0) @binding(2) var<storage, read> codebook: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<u32>;

var<workgroup> tile: array<f32, TILE_FLOATS>;

fn opaque(v: f32) -> f32 {
  return bitcast<f32>(bitcast<u32>(v) ^ p.opaque);
}

@compute @workgroup_size(WG)
fn assign(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let v = gid.x + gid.y * nwg.x * WG;
  let valid = v < p.n;
  var x: array<f32, MAX_D>;
  if (valid) {
    for (var j = 0u; j < p.d; j++) { x[j] = vectors[v * p.d + j]; }
  }
  var best = 0.0;
  var best_idx = 0u;
  var have = false;
  // Every thread takes part in loading and in the barriers (uniform control flow); only valid ones compare.
  for (var t0 = 0u; t0 < p.k; t0 += WG) {
    let c_load = t0 + lid;
    if (c_load < p.k) {
      for (var j = 0u; j < p.d; j++) { tile[lid * p.d + j] = codebook[c_load * p.d + j]; }
    }
    workgroupBarrier();
    let count = min(WG, p.k - t0);
    if (valid) {
      for (var c = 0u; c < count; c++) {
        var s = 0.0;
        for (var j = 0u; j < p.d; j++) {
          let t = x[j] - tile[c * p.d + j];
          s = s + opaque(t * t);
        }
        if (!have || s < best) {
          best = s;
          best_idx = t0 + c;
          have = true;
        }
      }
    }
    workgroupBarrier();
  }
  if (valid) { out[v] = best_idx; }
}
