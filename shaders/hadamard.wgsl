// hadamard: the normalised randomized Hadamard rotation of rows, R = (H_K ⊗ H_P) D / √B per block of B = K·P elements.
// Matches src/quant/hadamard/rotation.ts (rotateRows) bit for bit: the same f32 operations in the same
// order (see that file's header): forward = signs -> butterflies with strides 1, 2, .., P/2 -> dense
// K step (c = 0..K-1, starting from the c = 0 term) -> one product with `scale`; inverse =
// butterflies -> dense step with H_Kᵀ -> product -> signs. Butterflies and dense sums are only
// additions and subtractions and the scale product feeds no addition, so no fused multiply-add can
// form; WGSL's +, -, * are correctly rounded, so results equal the CPU's (GPUs may flush subnormal
// inputs or sums to zero: only there can they differ).
//
// Passes (the TS side, src/gpu/kernels/hadamard.ts, picks them):
// - fused (B <= TILE_MAX): one workgroup per `tile` elements = one block, or several small blocks
//   side by side (so every thread has a butterfly in every stage: tile >= 2·WG when blocks allow):
//   load with signs into workgroup memory, all butterfly stages there (a butterfly never crosses a
//   block: strides are < P and blocks start at multiples of P), then the dense step reading the
//   tile and writing the result.
// - multi-pass (B > TILE_MAX): tiles (one workgroup per tile of `tile` = min(P, TILE_MAX) elements:
//   signs and the butterfly stages with stride < tile), then one `stage` pass per remaining stride
//   (tile, 2·tile, .., P/2; one thread per butterfly, in place), then `dense` (one thread per output
//   element, reading the butterflied buffer). The last pass finishes (scale, inverse signs).
// Overrides: WG (threads per workgroup, <= 256), INVERSE (bool: Rᵀ instead of R).
// Bindings (group 0): 0 uniform Params; 1 src: f32[total] (fused/tiles: the input; dense: the
//   butterflied values); 2 dst: f32[total] (the output; stage works on it in place);
//   3 h_bits: u32[ceil(K·K / 32)], bit a·K + c set where H_K[a][c] = -1.
// Entry points: fused, tiles, stage, dense. 2-D grids: workgroup id = x + y * (workgroups in x);
//   thread id = gid.x + gid.y * (workgroups in x) * WG.
//! include lib_hash

override WG: u32 = 256u;
override INVERSE: bool = false;

// f32 per workgroup tile: 16 KiB, the guaranteed maxComputeWorkgroupStorageSize (core and
// compatibility). A constant, not an override: override-sized workgroup arrays hung Dawn on
// SwiftShader (docs/DECISIONS.md). HADAMARD_TILE in src/gpu/kernels/hadamard.ts.
const TILE_MAX = 4096u;
const FLAG_SIGNS = 1u;  // the rotation has random signs
const FLAG_FINISH = 2u; // this pass writes the result: product with the scale, then inverse signs

struct Params {
  total: u32,   // elements in the buffer (rows · row_len)
  row_len: u32, // rotation size: element e's sign is that of column e % row_len
  block: u32,   // B = order · pow2
  pow2: u32,    // P = 2^m
  order: u32,   // K
  tile: u32,    // fused and tiles: elements per workgroup
  stride: u32,  // stage: butterfly stride
  seed: u32,    // signs: top bit of hash2(seed, column)
  flags: u32,
  scale: f32,   // f32(1 / √B)
  pad0: u32,
  pad1: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;
@group(0) @binding(3) var<storage, read> h_bits: array<u32>;

var<workgroup> tile: array<f32, TILE_MAX>;

fn negated(e: u32) -> bool {
  return (p.flags & FLAG_SIGNS) != 0u && (hash2(p.seed, e % p.row_len) >> 31u) == 1u;
}

// An input element as it enters the butterflies: the forward rotation flips signs first.
fn load(e: u32) -> f32 {
  let v = src[e];
  if (!INVERSE && negated(e)) { return -v; }
  return v;
}

// A result element: one product with the scale, then the inverse rotation's signs.
fn finish(e: u32, v: f32) -> f32 {
  let y = v * p.scale;
  if (INVERSE && negated(e)) { return -y; }
  return y;
}

// Whether the dense factor's entry for output row a and input row c is -1 (H_K, or H_Kᵀ inverted).
fn h_negative(a: u32, c: u32) -> bool {
  var bit = a * p.order + c;
  if (INVERSE) { bit = c * p.order + a; }
  return ((h_bits[bit >> 5u] >> (bit & 31u)) & 1u) == 1u;
}

// First element of butterfly q at stride s (a power of two): q with a 0 bit inserted at log2(s).
fn pair_index(q: u32, s: u32) -> u32 {
  return ((q & ~(s - 1u)) << 1u) | (q & (s - 1u));
}

// Butterfly stages with strides 1, 2, .. < limit on tile[0..len); ends with a barrier.
fn tile_butterflies(lid: u32, len: u32, limit: u32) {
  for (var s = 1u; s < limit; s <<= 1u) {
    for (var q = lid; q < len / 2u; q += WG) {
      let i = pair_index(q, s);
      let a = tile[i];
      let b = tile[i + s];
      tile[i] = a + b;
      tile[i + s] = a - b;
    }
    workgroupBarrier();
  }
}

// Loads tile[0..len) from src[base..] (with forward signs); ends with a barrier.
fn load_tile(lid: u32, base: u32, len: u32) {
  for (var j = lid; j < len; j += WG) { tile[j] = load(base + j); }
  workgroupBarrier();
}

// Dense step for block element j = a·P + b of the block starting at tile[at]. The same sum as
// `dense` below over a different address space (WGSL has no pointer that could stand for both).
fn dense_from_tile(at: u32, j: u32) -> f32 {
  let a = j / p.pow2;
  let b = j % p.pow2;
  var acc = tile[at + b];
  if (h_negative(a, 0u)) { acc = -acc; }
  for (var c = 1u; c < p.order; c++) {
    let v = tile[at + c * p.pow2 + b];
    if (h_negative(a, c)) { acc = acc - v; } else { acc = acc + v; }
  }
  return acc;
}

@compute @workgroup_size(WG)
fn fused(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let base = (wid.x + wid.y * nwg.x) * p.tile;
  if (base >= p.total) { return; }
  let len = min(p.tile, p.total - base); // whole blocks: total and tile are multiples of the block
  load_tile(lid, base, len);
  tile_butterflies(lid, len, p.pow2);
  for (var j = lid; j < len; j += WG) {
    var v = tile[j];
    if (p.order > 1u) { v = dense_from_tile(j - j % p.block, j % p.block); }
    dst[base + j] = finish(base + j, v);
  }
}

@compute @workgroup_size(WG)
fn tiles(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let base = (wid.x + wid.y * nwg.x) * p.tile;
  if (base >= p.total) { return; }
  load_tile(lid, base, p.tile);
  tile_butterflies(lid, p.tile, p.tile);
  for (var j = lid; j < p.tile; j += WG) { dst[base + j] = tile[j]; }
}

@compute @workgroup_size(WG)
fn stage(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let q = gid.x + gid.y * nwg.x * WG;
  if (q >= p.total / 2u) { return; }
  let i = pair_index(q, p.stride);
  let j = i + p.stride;
  let a = dst[i];
  let b = dst[j];
  var sum = a + b;
  var diff = a - b;
  if ((p.flags & FLAG_FINISH) != 0u) {
    sum = finish(i, sum);
    diff = finish(j, diff);
  }
  dst[i] = sum;
  dst[j] = diff;
}

@compute @workgroup_size(WG)
fn dense(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let e = gid.x + gid.y * nwg.x * WG;
  if (e >= p.total) { return; }
  let j = e % p.block;
  let base = e - j;
  let a = j / p.pow2;
  let b = j % p.pow2;
  var acc = src[base + b];
  if (h_negative(a, 0u)) { acc = -acc; }
  for (var c = 1u; c < p.order; c++) {
    let v = src[base + c * p.pow2 + b];
    if (h_negative(a, c)) { acc = acc - v; } else { acc = acc + v; }
  }
  dst[e] = finish(e, acc);
}
