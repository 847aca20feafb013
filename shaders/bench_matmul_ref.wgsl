// bench_matmul_ref: the fixed, GPU-shaped reference kernels of the benchmark's emulator guard: y = x · Ŵᵀ
// for a packed weight in the layout of src/quant/packed/weights.ts (PackedWeights), modes affine and f32.
// Same operation, bindings and Params as matmul_packed.wgsl (only the summation order differs, as there),
// written the way GPU textbooks write it and frozen: a kernel of ours that beats these on a software
// adapter but not by GPU-shaped means is what the guard flags (docs/BENCHMARKS.md). Do not tune.
// Used only by `npm run bench` (bench/kernels.ts).
// Overrides: BITS (1..8; 32 for MODE 3), MODE (0 affine ŵ = (q − z)·s, 3 f32), GROUP (columns per group).
// Bindings (group 0): 0 uniform Params; 1 x: f32[m · k]; 2 codes: u32 (PackedWeights layout); 3 qp: f32
//   scales | zero points at shift_off; 4 y: f32[m · n].
// Entry points:
//   matvec_ref  one workgroup of 64 threads per (row of Ŵ, row of x) (grid n × m); thread t takes
//               columns t, t + 64, .. (consecutive threads read consecutive codes), decoding each
//               weight on its own; a tree in workgroup memory adds the 64 partial sums.
//   matmul_ref  16 × 16 output tiles (grid ceil(n/16) × ceil(m/16)), one output per thread; x and Ŵ
//               staged 16 columns at a time in workgroup memory (each thread loads one of each).
//! include lib_pack

override BITS: u32 = 4u;
override MODE: u32 = 0u;
override GROUP: u32 = 32u;

const MODE_F32 = 3u;
const CHUNK = 32u;

struct Params {
  m: u32,
  n: u32,
  k: u32,
  chunks: u32,
  groups_per_row: u32,
  shift_off: u32,
  table_off: u32,
  opaque: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> codes: array<u32>;
@group(0) @binding(3) var<storage, read> qp: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;

// ŵ[row, col] decoded on its own (col < k).
fn weight(row: u32, col: u32) -> f32 {
  let c = col / CHUNK;
  let j = col % CHUNK;
  if (MODE == MODE_F32) { return bitcast<f32>(codes[(row * p.chunks + c) * CHUNK + j]); }
  let bit = j * BITS;
  let w = (row * p.chunks + c) * BITS + bit / 32u;
  let shift = bit % 32u;
  var hi = 0u;
  if (shift + BITS > 32u) { hi = codes[w + 1u]; }
  let code = code_from_words(codes[w], hi, shift, BITS);
  let g = row * p.groups_per_row + col / GROUP;
  return (f32(code) - qp[p.shift_off + g]) * qp[g];
}

const RWG = 64u;
var<workgroup> partial: array<f32, 64>;

@compute @workgroup_size(RWG)
fn matvec_ref(@builtin(local_invocation_index) t: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  let row = wid.x;
  let xrow = wid.y * p.k;
  var acc = 0.0;
  for (var col = t; col < p.k; col += RWG) { acc += x[xrow + col] * weight(row, col); }
  partial[t] = acc;
  workgroupBarrier();
  for (var half = RWG / 2u; half > 0u; half >>= 1u) {
    if (t < half) { partial[t] += partial[t + half]; }
    workgroupBarrier();
  }
  if (t == 0u) { y[wid.y * p.n + row] = partial[0]; }
}

const T = 16u;
var<workgroup> xs: array<f32, 256>; // [row of x][column]
var<workgroup> ws: array<f32, 256>; // [row of Ŵ][column]

@compute @workgroup_size(16, 16)
fn matmul_ref(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let i = wid.y * T + lid.y; // row of x and y
  let r = wid.x * T + lid.x; // row of Ŵ, column of y
  let wr = wid.x * T + lid.y; // the Ŵ row this thread loads
  var acc = 0.0;
  for (var c0 = 0u; c0 < p.k; c0 += T) {
    let col = c0 + lid.x;
    var xv = 0.0;
    if (i < p.m && col < p.k) { xv = x[i * p.k + col]; }
    xs[lid.y * T + lid.x] = xv;
    var wv = 0.0;
    if (wr < p.n && col < p.k) { wv = weight(wr, col); }
    ws[lid.y * T + lid.x] = wv;
    workgroupBarrier();
    for (var q = 0u; q < T; q++) { acc += xs[lid.y * T + q] * ws[lid.x * T + q]; }
    workgroupBarrier();
  }
  if (i < p.m && r < p.n) { y[i * p.n + r] = acc; }
}
