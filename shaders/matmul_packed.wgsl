// matmul_packed: y = x · Ŵᵀ for a linear layer whose weight Ŵ [n, k] is packed low-bit codes dequantized on the fly, or plain f32.
// Matches src/quant/packed/weights.ts (PackedWeights layout, dequantizeCode: every ŵ is the same f32
// value) and src/quant/packed/matmul.ts (matmulPackedReference: y within the stated rounding bound;
// only the summation order differs).
// Weight layout: row r is ceil(k/32) chunks; chunk c = codes of columns 32c..32c+31 in BITS whole u32
// words at word (r · chunks + c) · BITS (src/quant/pack.ts bit stream); group of (r, col) =
// r · groups_per_row + col / GROUP.
// Overrides: BITS (1..8 codes; 32 for MODE 3), MODE (0 affine ŵ = (q − z)·s, 1 table ŵ = T[q]·s,
//   2 scale-offset ŵ = q·s + o, 3 f32: ŵ = bitcast<f32>(word)), GROUP (columns per group, >= 1).
// Bindings (group 0): 0 uniform Params; 1 x: f32[m · k] row-major; 2 codes: u32 as above;
//   3 qp: f32 = scales[groups] | z or o [groups] at shift_off | T[2^BITS] at table_off (one buffer:
//   compatibility mode allows 4 storage buffers per stage); 4 y: f32[m · n] row-major.
// Entry points (256 threads):
//   matvec  one workgroup per 8 rows of Ŵ and one row of x (grid: ceil(n/8) × m); 32 lanes per row,
//           lane l takes chunks l, l + 32, ..; x goes through workgroup memory 1024 columns at a time
//           (padded to 33 per 32 so the lanes' reads hit distinct banks); the 32 partial sums are
//           added by a tree in workgroup memory. Summation: per lane in column order, then the tree:
//           each product sees at most 1 + min(k, 32·ceil(chunks/32)) + 5 roundings.
//   matvec_batch  small batches (2 <= m <= 8 by default): matvec's shape for up to MB = 8 rows of x at
//           once (grid: ceil(n/8) × ceil(m/8)). Lane l of a row takes the 8-column segments l, l + 32,
//           .. (segment s = codes 8(s%4).. of chunk s/4), so a warp's code reads are contiguous words
//           (4-bit: one word per lane, 128 B per warp) like llama.cpp's mul_mat_vec; it decodes each
//           segment once and accumulates it against every row of x of its batch in registers (x read
//           straight from memory: the 8 rows of Ŵ of a workgroup and all workgroups share it, caches
//           serve it; no barriers in the loop), then one 5-level tree per row of x. Ŵ is read once per
//           8 rows of x; the launch is as wide as matvec's (the tiled kernel runs ceil(n/64) workgroups
//           here). Summation: per lane in column order, then the tree: each product sees at most
//           1 + min(k, 8·ceil(k/256)) + 5 roundings (within matvec's bound, <= k + 6).
//   matmul  one workgroup per 32 × 64 tile of y (grid: ceil(n/64) × ceil(m/32)); per chunk of 32
//           columns, x [32 × 32] and the dequantized Ŵ [64 × 32] (4 threads per row of Ŵ, 8 codes
//           each) are staged transposed in workgroup memory, then each thread accumulates a 2 × 4
//           block of y in column order: recursive summation, k roundings per product.
// Decoding: an invocation reads the (at most 3) whole words holding its 8 codes once and extracts
// the codes from registers (lib_pack code_from_words). Dequantization rounds like dequantizeCode:
// (q − z)·s and T[q]·s feed no addition; in q·s + o the product goes through `opaque` (an xor with
// the uniform `opaque`, always 0), so no compiler contracts it into an fma. In matvec ŵ then feeds
// acc + x·ŵ, which a compiler may fuse (fine: the bound covers it).
// Fixed-size workgroup arrays only (override-sized ones hung Dawn on SwiftShader, docs/DECISIONS.md).
//! include lib_pack

override BITS: u32 = 4u;
override MODE: u32 = 0u;
override GROUP: u32 = 32u;

const MODE_AFFINE = 0u;
const MODE_TABLE = 1u;
const MODE_SCALE_OFFSET = 2u;
const MODE_F32 = 3u;
const WG = 256u;
const CHUNK = 32u;
// Table entries (2^BITS for MODE 1); min() keeps the shift legal when BITS is 32.
override TABLE_LEN: u32 = select(0u, 1u << min(BITS, 8u), MODE == MODE_TABLE);

struct Params {
  m: u32,
  n: u32,
  k: u32,
  chunks: u32,         // ceil(k / 32)
  groups_per_row: u32, // 0 when rows share groups (tensor, column)
  shift_off: u32,      // index of z_0 / o_0 in qp
  table_off: u32,      // index of T[0] in qp
  opaque: u32,         // always 0: see the header
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> codes: array<u32>;
@group(0) @binding(3) var<storage, read> qp: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;

var<workgroup> tbl: array<f32, 256>;

fn opaque(v: f32) -> f32 { return bitcast<f32>(bitcast<u32>(v) ^ p.opaque); }

// T into workgroup memory (MODE 1); every thread must call it (it ends with a barrier).
fn load_table(t: u32) {
  for (var i = t; i < TABLE_LEN; i += WG) { tbl[i] = qp[p.table_off + i]; }
  workgroupBarrier();
}

fn dequant(code: u32, s: f32, z: f32) -> f32 {
  if (MODE == MODE_AFFINE) { return (f32(code) - z) * s; }
  if (MODE == MODE_TABLE) { return tbl[code] * s; }
  return opaque(f32(code) * s) + z;
}

// ŵ of columns 32c + j0 .. 32c + j0 + 7 of row `row` (j0 a multiple of 8); 0 past column k.
fn decode8(row: u32, c: u32, j0: u32) -> array<f32, 8> {
  var out: array<f32, 8>;
  let col0 = c * CHUNK + j0;
  if (MODE == MODE_F32) {
    let base = (row * p.chunks + c) * CHUNK + j0;
    for (var j = 0u; j < 8u; j++) {
      if (col0 + j < p.k) { out[j] = bitcast<f32>(codes[base + j]); }
    }
    return out;
  }
  let chunk_base = (row * p.chunks + c) * BITS;
  let first_bit = j0 * BITS;
  let w0 = first_bit >> 5u;
  let w_last = (first_bit + 8u * BITS - 1u) >> 5u;
  var words: array<u32, 4>; // 8 codes of <= 8 bits span at most 3 words; words[3] stays 0
  for (var i = 0u; i < 3u; i++) {
    if (w0 + i <= w_last) { words[i] = codes[chunk_base + w0 + i]; }
  }
  var g_cached = 0xffffffffu;
  var s = 0.0;
  var z = 0.0;
  for (var j = 0u; j < 8u; j++) {
    let col = col0 + j;
    if (col >= p.k) { break; }
    let bit = first_bit + j * BITS - w0 * 32u;
    let code = code_from_words(words[bit >> 5u], words[(bit >> 5u) + 1u], bit & 31u, BITS);
    let g = row * p.groups_per_row + col / GROUP;
    if (g != g_cached) {
      g_cached = g;
      s = qp[g];
      if (MODE != MODE_TABLE) { z = qp[p.shift_off + g]; }
    }
    out[j] = dequant(code, s, z);
  }
  return out;
}

const MV_ROWS = 8u;                 // rows of Ŵ per workgroup
const LANES = 32u;                  // threads per row
const X_TILE = LANES * CHUNK;       // columns of x staged per step
var<workgroup> xs: array<f32, 1056>; // X_TILE, padded: column e at (e / 32) · 33 + e % 32
var<workgroup> red: array<f32, 256>;

@compute @workgroup_size(WG)
fn matvec(@builtin(local_invocation_index) t: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  load_table(t);
  let row = wid.x * MV_ROWS + t / LANES;
  let lane = t % LANES;
  let xrow = wid.y * p.k;
  var acc = 0.0;
  let steps = (p.chunks + LANES - 1u) / LANES;
  for (var step = 0u; step < steps; step++) {
    workgroupBarrier();
    for (var e = t; e < X_TILE; e += WG) {
      let col = step * X_TILE + e;
      var v = 0.0;
      if (col < p.k) { v = x[xrow + col]; }
      xs[(e >> 5u) * 33u + (e & 31u)] = v;
    }
    workgroupBarrier();
    let c = step * LANES + lane;
    if (row < p.n && c < p.chunks) {
      for (var q = 0u; q < 4u; q++) {
        let w = decode8(row, c, q * 8u);
        for (var j = 0u; j < 8u; j++) { acc += xs[lane * 33u + q * 8u + j] * w[j]; }
      }
    }
  }
  red[t] = acc;
  workgroupBarrier();
  for (var half = LANES / 2u; half > 0u; half >>= 1u) {
    if (lane < half) { red[t] += red[t + half]; }
    workgroupBarrier();
  }
  if (lane == 0u && row < p.n) { y[wid.y * p.n + row] = red[t]; }
}

const MB = 8u;                       // rows of x per matvec_batch workgroup
const SEG = 8u;                      // columns per matvec_batch lane step: a quarter chunk, one decode8
var<workgroup> red_batch: array<f32, 2048>; // MB × WG partial sums: row i of x, thread t at i · WG + t

@compute @workgroup_size(WG)
fn matvec_batch(@builtin(local_invocation_index) t: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  load_table(t);
  let row = wid.x * MV_ROWS + t / LANES;
  let lane = t % LANES;
  let i0 = wid.y * MB;
  let rows_x = min(MB, p.m - i0);
  // Loops over i and j have constant trip counts (guards inside) so acc and w stay in registers.
  var acc: array<f32, MB>;
  if (row < p.n) {
    let segs = (p.k + SEG - 1u) / SEG;
    for (var s = lane; s < segs; s += LANES) {
      let w = decode8(row, s / 4u, (s % 4u) * SEG);
      let col0 = s * SEG;
      for (var i = 0u; i < MB; i++) {
        if (i < rows_x) {
          let xb = (i0 + i) * p.k + col0;
          for (var j = 0u; j < SEG; j++) {
            var v = 0.0;
            if (col0 + j < p.k) { v = x[xb + j]; }
            acc[i] += v * w[j];
          }
        }
      }
    }
  }
  for (var i = 0u; i < MB; i++) { red_batch[i * WG + t] = acc[i]; }
  workgroupBarrier();
  for (var half = LANES / 2u; half > 0u; half >>= 1u) {
    if (lane < half) {
      for (var i = 0u; i < MB; i++) {
        if (i < rows_x) { red_batch[i * WG + t] += red_batch[i * WG + t + half]; }
      }
    }
    workgroupBarrier();
  }
  if (lane == 0u && row < p.n) {
    for (var i = 0u; i < MB; i++) {
      if (i < rows_x) { y[(i0 + i) * p.n + row] = red_batch[i * WG + t]; }
    }
  }
}

const TM = 32u;                      // rows of x (and y) per workgroup
const TN = 64u;                      // rows of Ŵ (columns of y) per workgroup
var<workgroup> xt: array<f32, 1056>; // x tile transposed: column kk, row i at kk · 33 + i
var<workgroup> wt: array<f32, 2080>; // Ŵ tile transposed: column kk, row r at kk · 65 + r

@compute @workgroup_size(WG)
fn matmul(@builtin(local_invocation_index) t: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  load_table(t);
  let n0 = wid.x * TN;
  let m0 = wid.y * TM;
  let tx = t % 16u; // y columns n0 + 4·tx .. + 3
  let ty = t / 16u; // y rows m0 + 2·ty, + 1
  let dr = t >> 2u; // the Ŵ row this thread decodes
  let dq = t & 3u;  // and which 8 of its 32 codes
  var acc: array<f32, 8>;
  for (var c = 0u; c < p.chunks; c++) {
    workgroupBarrier();
    for (var e = t; e < TM * CHUNK; e += WG) {
      let i = e >> 5u;
      let kk = e & 31u;
      let col = c * CHUNK + kk;
      var v = 0.0;
      if (m0 + i < p.m && col < p.k) { v = x[(m0 + i) * p.k + col]; }
      xt[kk * 33u + i] = v;
    }
    var w: array<f32, 8>;
    if (n0 + dr < p.n) { w = decode8(n0 + dr, c, dq * 8u); }
    for (var j = 0u; j < 8u; j++) { wt[(dq * 8u + j) * 65u + dr] = w[j]; }
    workgroupBarrier();
    for (var kk = 0u; kk < CHUNK; kk++) {
      let a0 = xt[kk * 33u + 2u * ty];
      let a1 = xt[kk * 33u + 2u * ty + 1u];
      for (var j = 0u; j < 4u; j++) {
        let b = wt[kk * 65u + 4u * tx + j];
        acc[j] += a0 * b;
        acc[4u + j] += a1 * b;
      }
    }
  }
  for (var i = 0u; i < 2u; i++) {
    let row = m0 + 2u * ty + i;
    for (var j = 0u; j < 4u; j++) {
      let col = n0 + 4u * tx + j;
      if (row < p.m && col < p.n) { y[row * p.n + col] = acc[4u * i + j]; }
    }
  }
}
