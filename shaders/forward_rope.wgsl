// forward_rope: takes q, k or v of each token out of a projection's output (plus its bias), applies
// rotary position embedding, and writes it to a [row, heads · head_dim] buffer (q) or the KV cache.
// Matches projectQkv + applyRope in src/model/forward/session.ts and ops.ts. The cos/sin table is the
// CPU's f64 values rounded to f32 (WGSL's cos/sin are only accurate to 2^-11 and f32 angles lose
// digits at large positions); each output is one f32 rotation of the biased input.
// Source layout: element (t, head, d) is src[t · src_stride + src_offset + head · head_stride + d]
// and its bias bias[src_offset + head · head_stride + d]: separate projections (stride head_dim,
// offset 0), GPT-2's fused [q | k | v] (offset 0, q_dim or q_dim + kv_dim) and GPT-NeoX's per-head
// [q_h | k_h | v_h] (stride 3 · head_dim, offset 0, head_dim or 2 · head_dim).
// Pairs: j < rotary_dim / 2 turns by angle pos · theta^(-2j / rotary_dim): interleaved (2j, 2j + 1),
// else (j, j + rotary_dim / 2); dims from rotary_dim on pass through (rotary_dim 0: no RoPE).
// Overrides: BIAS (bool: add bias).
// Bindings (group 0): 0 uniform Params; 1 src: f32; 2 bias: f32 (any buffer without BIAS);
//   3 rope: f32[positions · rotary_dim / 2 · 2], (cos, sin) of position pos, pair j at
//   (pos · rotary_dim / 2 + j) · 2 (any buffer when rotary_dim is 0); 4 dst: f32, element (t, head, d)
//   at (dst_row0 + t) · heads · head_dim + head · head_dim + d.
// Grid: ceil(heads · head_dim / 256) × rows, one thread per output element.

override BIAS: bool = false;

struct Params {
  rows: u32,
  heads: u32,
  head_dim: u32,
  src_stride: u32,
  src_offset: u32,
  head_stride: u32,
  dst_row0: u32,
  pos0: u32,        // position of row 0
  rotary_dim: u32,
  interleaved: u32, // 1: pairs (2j, 2j + 1)
  pad0: u32,
  pad1: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read> rope: array<f32>;
@group(0) @binding(4) var<storage, read_write> dst: array<f32>;

fn biased(t: u32, head: u32, d: u32) -> f32 {
  let col = p.src_offset + head * p.head_stride + d;
  var v = src[t * p.src_stride + col];
  if (BIAS) { v += bias[col]; }
  return v;
}

@compute @workgroup_size(256)
fn split_rope(@builtin(global_invocation_id) gid: vec3<u32>) {
  let width = p.heads * p.head_dim;
  let e = gid.x;
  let t = gid.y;
  if (e >= width || t >= p.rows) { return; }
  let head = e / p.head_dim;
  let d = e % p.head_dim;
  var out = biased(t, head, d);
  if (d < p.rotary_dim) {
    let half = p.rotary_dim / 2u;
    var j: u32;
    var first: bool;
    var partner: u32;
    if (p.interleaved == 1u) {
      j = d / 2u;
      first = d % 2u == 0u;
      partner = select(d - 1u, d + 1u, first);
    } else {
      j = d % half;
      first = d < half;
      partner = select(d - half, d + half, first);
    }
    let at = ((p.pos0 + t) * half + j) * 2u;
    let c = rope[at];
    let s = rope[at + 1u];
    let other = biased(t, head, partner);
    // first of the pair: x cos - y sin; second: x sin + y cos, with x the first and y the second.
    if (first) { out = out * c - other * s; } else { out = other * s + out * c; }
  }
  dst[(p.dst_row0 + t) * width + e] = out;
}
