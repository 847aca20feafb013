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
// - fused (B <= TILE_MAX): one workgroup per `tile` elements = one block, or as many small
//   blocks side by side as fill TILE_MAX (so every thread has work in every round). Butterflies
//   run in rounds of REG_LOG = 3 stages (butterfly_span): each thread takes groups of REG = 8
//   elements, the ones a round's 3 stages mix, into registers, runs the stages there and stores
//   them to the tile, so a block of P = 2^m takes ceil(m / 3) rounds with one barrier each instead
//   of a barrier per stage. The first round reads src (with signs), later ones the tile; then
//   each thread writes consecutive outputs (plain or the dense step's, finished) to dst.
//   A butterfly never crosses a block: strides are < P and blocks start at multiples of P.
// - multi-pass (B > TILE_MAX): `tiles` (the same rounds on spans of `tile` elements, whole
//   chunks of min(P, TILE_MAX): the stages with stride < min(P, TILE_MAX), unfinished, to dst),
//   then one `stage` pass per remaining stride (TILE_MAX, 2·TILE_MAX, .., P/2; one thread per
//   butterfly, in place), then `dense` (one thread per output element, reading the butterflied
//   buffer). The last pass finishes (scale, inverse signs).
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
// A thread's group in a butterfly round: REG = 2^REG_LOG elements held in registers.
const REG_LOG = 3u;
const REG = 8u;
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

// A thread's group in a butterfly round: REG = 8 elements s apart, in registers (lo: elements
// 0..3, hi: 4..7). Group q of a round at stride s (a power of two) starts at q with REG_LOG zero
// bits inserted at log2(s): groups q = 0, 1, .. cover each aligned run of REG·s elements once.
struct Group { lo: vec4f, hi: vec4f }

fn group_start(q: u32, s: u32) -> u32 {
  return ((q & ~(s - 1u)) << REG_LOG) | (q & (s - 1u));
}

// Input element i of the span at src[base..] (with forward signs); 0 past `len`, where only a span
// that is not a multiple of REG reaches (blocks with P < REG; their stages never touch it).
fn load_in_span(base: u32, len: u32, i: u32) -> f32 {
  if (i < len) { return load(base + i); }
  return 0.0;
}

// The first round's group q (s = 1: REG consecutive elements), from src.
fn group_from_src(base: u32, len: u32, q: u32) -> Group {
  let i = q * REG;
  return Group(
    vec4f(load_in_span(base, len, i), load_in_span(base, len, i + 1u), load_in_span(base, len, i + 2u), load_in_span(base, len, i + 3u)),
    vec4f(load_in_span(base, len, i + 4u), load_in_span(base, len, i + 5u), load_in_span(base, len, i + 6u), load_in_span(base, len, i + 7u)),
  );
}

fn group_from_tile(i: u32, s: u32) -> Group {
  let t = 4u * s;
  return Group(
    vec4f(tile[i], tile[i + s], tile[i + 2u * s], tile[i + 3u * s]),
    vec4f(tile[i + t], tile[i + t + s], tile[i + t + 2u * s], tile[i + t + 3u * s]),
  );
}

fn group_to_tile(i: u32, s: u32, g: Group) {
  let t = 4u * s;
  tile[i] = g.lo.x;
  tile[i + s] = g.lo.y;
  tile[i + 2u * s] = g.lo.z;
  tile[i + 3u * s] = g.lo.w;
  tile[i + t] = g.hi.x;
  tile[i + t + s] = g.hi.y;
  tile[i + t + 2u * s] = g.hi.z;
  tile[i + t + 3u * s] = g.hi.w;
}

// The first `count` (<= REG_LOG) butterfly stages on a group: stage k pairs registers j and
// j + 2^k, i.e. elements s·2^k apart, a + b to the first and a - b to the second, exactly the
// CPU's butterflies of that stride. Register pairs of one stage are disjoint, so their order
// within the stage does not matter.
fn group_stages(g: Group, count: u32) -> Group {
  var lo = g.lo;
  var hi = g.hi;
  if (count > 0u) { // registers 2t, 2t + 1
    let sum_lo = lo.xz + lo.yw;
    let diff_lo = lo.xz - lo.yw;
    let sum_hi = hi.xz + hi.yw;
    let diff_hi = hi.xz - hi.yw;
    lo = vec4f(sum_lo.x, diff_lo.x, sum_lo.y, diff_lo.y);
    hi = vec4f(sum_hi.x, diff_hi.x, sum_hi.y, diff_hi.y);
  }
  if (count > 1u) { // registers t, t + 2 (t = 0, 1 of each half)
    lo = vec4f(lo.xy + lo.zw, lo.xy - lo.zw);
    hi = vec4f(hi.xy + hi.zw, hi.xy - hi.zw);
  }
  if (count > 2u) { // registers t, t + 4
    return Group(lo + hi, lo - hi);
  }
  return Group(lo, hi);
}

// All butterfly stages with strides 1, 2, .. < limit (a power of two; `len` is a multiple of it)
// on the span of `len` elements at src[base..], into the tile, ending with a barrier. Rounds of up
// to REG_LOG stages, one barrier after each: the first round (stride 1) takes the remainder
// log2(limit) mod REG_LOG and reads src; every later round takes REG_LOG stages from the tile, so
// that its groups (REG·s elements) lie within a P-chunk.
fn butterfly_span(lid: u32, base: u32, len: u32, limit: u32) {
  let groups = (len + REG - 1u) / REG;
  let stages = countTrailingZeros(limit);
  var count = stages % REG_LOG;
  if (count == 0u) { count = min(stages, REG_LOG); }
  for (var q = lid; q < groups; q += WG) {
    group_to_tile(q * REG, 1u, group_stages(group_from_src(base, len, q), count));
  }
  workgroupBarrier();
  for (var s = 1u << count; s < limit; s <<= REG_LOG) {
    for (var q = lid; q < groups; q += WG) {
      let i = group_start(q, s);
      group_to_tile(i, s, group_stages(group_from_tile(i, s), REG_LOG));
    }
    workgroupBarrier();
  }
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

// Whole blocks (B <= TILE_MAX): butterflies, then the dense step for K > 1, then the finish.
@compute @workgroup_size(WG)
fn fused(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let base = (wid.x + wid.y * nwg.x) * p.tile;
  if (base >= p.total) { return; }
  let len = min(p.tile, p.total - base); // whole blocks: total is a multiple of the block
  butterfly_span(lid, base, len, p.pow2);
  for (var j = lid; j < len; j += WG) {
    var v = tile[j];
    if (p.order > 1u) { v = dense_from_tile(j - j % p.block, j % p.block); }
    dst[base + j] = finish(base + j, v);
  }
}

// The butterfly stages with stride < min(P, TILE_MAX) (for B > TILE_MAX), unfinished, to dst.
@compute @workgroup_size(WG)
fn tiles(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let base = (wid.x + wid.y * nwg.x) * p.tile;
  if (base >= p.total) { return; }
  let len = min(p.tile, p.total - base);
  butterfly_span(lid, base, len, min(p.pow2, TILE_MAX));
  for (var j = lid; j < len; j += WG) { dst[base + j] = tile[j]; }
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
