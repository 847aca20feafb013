// forward_attention: causal scaled dot-product attention of a chunk of query rows over the KV cache,
// with grouped-query heads: out[t, h] = Σ_j softmax_j(q[t, h] · k[j, g] / √d) v[j, g], where
// g = h / (heads / kv_heads) and j runs over positions 0 ..= pos0 + t.
// Matches `attend` in src/model/forward/session.ts (f64 there; here f32: max, then exp and sums).
// One workgroup per (head, query row); 256 threads. Pass 1: each thread takes keys j ≡ thread
// (mod 256) and the workgroup reduces the largest score. Pass 2, per tile of 256 keys: thread j
// writes p_j = exp(score_j − max) to workgroup memory, then thread (slice s, dim d) adds p_j · v[j, d]
// for the tile's keys j ≡ s (mod slices), slices = 256 / head_dim. Finally the slices and the p_j
// are summed by trees and out = acc / Σ p. head_dim <= 256 (checked by the caller).
// Bindings (group 0): 0 uniform Params; 1 q: f32[rows · heads · head_dim] (RoPE applied);
//   2 kc, 3 vc: f32[capacity · kv_heads · head_dim], the cache rows 0 .. pos0 + rows − 1 filled;
//   4 out: f32[rows · heads · head_dim].
// Grid: heads × rows.

const WG = 256u;

struct Params {
  rows: u32,
  heads: u32,
  kv_heads: u32,
  head_dim: u32,
  pos0: u32,  // position of query row 0
  scale: f32, // 1 / √head_dim
  pad0: u32,
  pad1: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> q: array<f32>;
@group(0) @binding(2) var<storage, read> kc: array<f32>;
@group(0) @binding(3) var<storage, read> vc: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;

var<workgroup> qs: array<f32, WG>;
var<workgroup> pt: array<f32, WG>;
// One array per reduction (max, Σ p, the slices' sums): reusing one array across reductions broke
// results on Dawn's GL backend (llvmpipe), see forward_norm.wgsl.
var<workgroup> red_max: array<f32, WG>;
var<workgroup> red_sum: array<f32, WG>;
var<workgroup> red_acc: array<f32, WG>;

fn score(j: u32, kv_base: u32, kv_width: u32) -> f32 {
  var dot = 0.0;
  let base = j * kv_width + kv_base;
  for (var i = 0u; i < p.head_dim; i++) { dot += qs[i] * kc[base + i]; }
  return dot * p.scale;
}

@compute @workgroup_size(WG)
fn attend(@builtin(local_invocation_index) t: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  let head = wid.x;
  let row = wid.y;
  let d = p.head_dim;
  let len = p.pos0 + row + 1u;
  let kv_width = p.kv_heads * d;
  let kv_base = (head / (p.heads / p.kv_heads)) * d;
  let q_at = (row * p.heads + head) * d;
  if (t < d) { qs[t] = q[q_at + t]; }
  workgroupBarrier();

  var m = -3.0e38;
  for (var j = t; j < len; j += WG) { m = max(m, score(j, kv_base, kv_width)); }
  red_max[t] = m;
  workgroupBarrier();
  for (var half = WG / 2u; half > 0u; half >>= 1u) {
    if (t < half) { red_max[t] = max(red_max[t], red_max[t + half]); }
    workgroupBarrier();
  }
  let top = red_max[0];

  let slices = WG / d;
  let slice = t / d;
  let dim = t % d;
  var acc = 0.0;
  var sum = 0.0;
  for (var base = 0u; base < len; base += WG) {
    var e = 0.0;
    if (base + t < len) { e = exp(score(base + t, kv_base, kv_width) - top); }
    pt[t] = e;
    sum += e;
    workgroupBarrier();
    if (slice < slices) {
      let count = min(WG, len - base);
      for (var jj = slice; jj < count; jj += slices) { acc += pt[jj] * vc[(base + jj) * kv_width + kv_base + dim]; }
    }
    workgroupBarrier();
  }

  red_sum[t] = sum;
  red_acc[t] = select(0.0, acc, slice < slices);
  workgroupBarrier();
  for (var half = WG / 2u; half > 0u; half >>= 1u) {
    if (t < half) { red_sum[t] += red_sum[t + half]; }
    workgroupBarrier();
  }
  let total = red_sum[0];
  if (t < d) {
    var o = 0.0;
    for (var s = 0u; s < slices; s++) { o += red_acc[s * d + t]; }
    out[q_at + t] = o / total;
  }
}
