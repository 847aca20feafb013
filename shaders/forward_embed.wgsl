// forward_embed: the first step of the forward pass: x[t, :] = E[token[t], :] (+ P[pos0 + t, :] with learned positions).
// Matches the start of Session.step in src/model/forward/session.ts (embedding row, then addInto the
// position row: one f32 addition, so the result is bit-identical).
// Overrides: LEARNED (bool: add the position row).
// Bindings (group 0): 0 uniform Params; 1 tokens: u32[rows]; 2 emb: f32, row v at v · emb_stride
//   (the f32 packed weight's codes, rows padded to 32, or a dequantized table); 3 pos: f32[positions ·
//   hidden] (any buffer when LEARNED is false); 4 x: f32[rows · hidden].
// Grid: ceil(hidden / 256) × rows, one thread per element.

override LEARNED: bool = false;

struct Params {
  rows: u32,
  hidden: u32,
  emb_stride: u32, // f32 per stored embedding row
  pos0: u32,       // position of row 0
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> tokens: array<u32>;
@group(0) @binding(2) var<storage, read> emb: array<f32>;
@group(0) @binding(3) var<storage, read> pos: array<f32>;
@group(0) @binding(4) var<storage, read_write> x: array<f32>;

@compute @workgroup_size(256)
fn gather(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  let t = gid.y;
  if (i >= p.hidden || t >= p.rows) { return; }
  var v = emb[tokens[t] * p.emb_stride + i];
  if (LEARNED) { v += pos[(p.pos0 + t) * p.hidden + i]; }
  x[t * p.hidden + i] = v;
}
