// matmul_f32: C = op(A) · B in f32 with op(A) = A (m × k) or Aᵀ (A stored k × m), B k × n, C m × n,
// all row-major: the products of the randomized SVD (src/quant/transforms/svd.ts). Matches matmulF32
// in src/quant/transforms/linalg.ts exactly: each entry is c = 0, then c = c + a·b for p = 0..k-1 in
// order, every operation a correctly rounded f32 one (the product goes through `opaque`, an XOR with
// a uniform that is always 0, so it cannot be fused into an fma). Inputs and partial sums in the f32
// subnormal range may be flushed by a GPU: only there can the results differ.
// 16 × 16 output tiles, one workgroup each; A and B are staged through workgroup memory 16 columns of
// the inner dimension at a time (the order of the sum is unchanged).
// Overrides: TRANSPOSE_A (bool). Bindings (group 0): 0 uniform Params; 1 a: f32[m · k]; 2 b: f32[k · n];
//   3 c: f32[m · n].
// Entry point: matmul; workgroup (x, y) computes rows 16y.. and columns 16x.. of C.

override TRANSPOSE_A: bool = false;

const T = 16u;

struct Params {
  m: u32,
  k: u32,
  n: u32,
  opaque: u32, // always 0
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;

var<workgroup> a_tile: array<f32, 256>; // [row i][inner q]
var<workgroup> b_tile: array<f32, 256>; // [inner q][column j]

fn opaque(v: f32) -> f32 {
  return bitcast<f32>(bitcast<u32>(v) ^ p.opaque);
}

// Element (i, q) of op(A), 0 outside the matrix.
fn a_at(i: u32, q: u32) -> f32 {
  if (i >= p.m || q >= p.k) { return 0.0; }
  if (TRANSPOSE_A) { return a[q * p.m + i]; }
  return a[i * p.k + q];
}

@compute @workgroup_size(16, 16)
fn matmul(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let i = wid.y * T + lid.y;
  let j = wid.x * T + lid.x;
  var acc = 0.0;
  for (var q0 = 0u; q0 < p.k; q0 += T) {
    a_tile[lid.y * T + lid.x] = a_at(wid.y * T + lid.y, q0 + lid.x);
    let bq = q0 + lid.y;
    var bv = 0.0;
    if (bq < p.k && j < p.n) { bv = b[bq * p.n + j]; }
    b_tile[lid.y * T + lid.x] = bv;
    workgroupBarrier();
    let count = min(T, p.k - q0);
    for (var q = 0u; q < count; q++) {
      acc = acc + opaque(a_tile[lid.y * T + q] * b_tile[q * T + lid.x]);
    }
    workgroupBarrier();
  }
  if (i < p.m && j < p.n) { c[i * p.n + j] = acc; }
}
