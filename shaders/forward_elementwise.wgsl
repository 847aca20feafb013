// forward_elementwise: the pointwise steps of a transformer block, in place on y.
// Matches src/model/forward/ops.ts and session.ts: silu, geluTanh, geluErf (mlp), addInto (residual).
// Entry points:
//   bias_act  y[i] = act(y[i] + bias[i % n]): a linear layer's bias, then ACT (0 none, 1 GELU tanh
//             as GPT-2's gelu_new, 2 exact GELU with erf from Abramowitz & Stegun 7.1.26, |error| <=
//             1.5e-7, since WGSL has no erf).
//   swiglu    y[i] = silu(y[i]) · src[i]: y holds gate(h), src up(h) (SwiGLU, Shazeer 2020).
//   residual  y[i] += src[i] + bias[i % n]: the residual stream y plus a branch output and its bias.
// Overrides: ACT, BIAS (bool: read bias; without it any buffer may be bound).
// Bindings (group 0): 0 uniform Params; 1 y: f32[count] (read_write); 2 bias: f32[n]; 3 src: f32[count].
// Grid: 2-D, element = (wid.x + wid.y · groups_x) · 256 + local index (src/gpu/dispatch.ts grid2d).

override ACT: u32 = 0u;
override BIAS: bool = false;
const WG = 256u;

struct Params {
  count: u32,
  n: u32,        // bias period (the layer's outputs)
  groups_x: u32, // workgroups in x
  pad: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read> src: array<f32>;

fn element(lid: u32, wid: vec3<u32>) -> u32 {
  return (wid.x + wid.y * p.groups_x) * WG + lid;
}

fn with_bias(v: f32, i: u32) -> f32 {
  if (BIAS) { return v + bias[i % p.n]; }
  return v;
}

const SQRT_2_OVER_PI = 0.7978845608028654;

fn gelu_tanh(x: f32) -> f32 {
  // tanh saturates to ±1 in f32 beyond |15|; clamping keeps implementations that compute it from
  // exponentials away from inf / inf.
  let inner = clamp(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x), -15.0, 15.0);
  return 0.5 * x * (1.0 + tanh(inner));
}

fn erf_as(x: f32) -> f32 {
  let a = abs(x);
  let t = 1.0 / (1.0 + 0.3275911 * a);
  let poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return sign(x) * (1.0 - poly * exp(-a * a));
}

fn gelu_erf(x: f32) -> f32 {
  return 0.5 * x * (1.0 + erf_as(x * 0.7071067811865476));
}

@compute @workgroup_size(WG)
fn bias_act(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  let i = element(lid, wid);
  if (i >= p.count) { return; }
  let v = with_bias(y[i], i);
  if (ACT == 1u) { y[i] = gelu_tanh(v); } else if (ACT == 2u) { y[i] = gelu_erf(v); } else { y[i] = v; }
}

@compute @workgroup_size(WG)
fn swiglu(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  let i = element(lid, wid);
  if (i >= p.count) { return; }
  let g = y[i];
  y[i] = g / (1.0 + exp(-g)) * src[i];
}

@compute @workgroup_size(WG)
fn residual(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  let i = element(lid, wid);
  if (i >= p.count) { return; }
  y[i] += with_bias(src[i], i);
}
