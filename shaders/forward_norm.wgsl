// forward_norm: RMSNorm or LayerNorm of each row of x: y = norm(x) · weight (+ bias).
// Matches rmsNorm / layerNorm in src/model/forward/ops.ts (which sum in f64): here f32 sums, per
// thread in column order then a tree, so results agree to a few f32 roundings per element.
// Overrides: LAYER (bool: LayerNorm with mean and bias; else RMSNorm).
// Bindings (group 0): 0 uniform Params; 1 x: f32[rows · n]; 2 weight: f32[n]; 3 bias: f32[n] (any
//   buffer for RMSNorm); 4 y: f32[rows · n].
// Grid: rows workgroups of 256 threads (one row each).

override LAYER: bool = false;
const WG = 256u;

struct Params {
  rows: u32,
  n: u32,
  eps: f32,
  pad: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> weight: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;

// One array per reduction: reusing one array for the second sum corrupted the first sum's result
// on Dawn's GL backend (llvmpipe), although a barrier separated the read of red[0] from the next
// writes. The reductions are written out (no workgroup pointer parameters: not every browser has
// the unrestricted_pointer_parameters feature).
var<workgroup> red_mean: array<f32, WG>;
var<workgroup> red_sq: array<f32, WG>;

@compute @workgroup_size(WG)
fn norm(@builtin(local_invocation_index) t: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  let base = wid.x * p.n;
  let nf = f32(p.n);
  var mean = 0.0;
  if (LAYER) {
    var s = 0.0;
    for (var i = t; i < p.n; i += WG) { s += x[base + i]; }
    red_mean[t] = s;
    workgroupBarrier();
    for (var half = WG / 2u; half > 0u; half >>= 1u) {
      if (t < half) { red_mean[t] += red_mean[t + half]; }
      workgroupBarrier();
    }
    mean = red_mean[0] / nf;
  }
  var sq = 0.0;
  for (var i = t; i < p.n; i += WG) {
    let d = x[base + i] - mean;
    sq += d * d;
  }
  red_sq[t] = sq;
  workgroupBarrier();
  for (var half = WG / 2u; half > 0u; half >>= 1u) {
    if (t < half) { red_sq[t] += red_sq[t + half]; }
    workgroupBarrier();
  }
  let inv = 1.0 / sqrt(red_sq[0] / nf + p.eps);
  for (var i = t; i < p.n; i += WG) {
    var v = (x[base + i] - mean) * inv * weight[i];
    if (LAYER) { v += bias[i]; }
    y[base + i] = v;
  }
}
