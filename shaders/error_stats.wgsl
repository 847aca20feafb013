// error_stats: sums, extremes and fixed-bin histograms of x, x̂ and e = x - x̂.
// Matches src/quant/metrics.ts (errorSums within f32 summation error; binsPerUnit, binIndex and
// histograms exactly). Overrides: WG (power of two, at most 256).
// Bindings (group 0): 0 uniform Params; 1 x: f32[n]; 2 xhat: f32[n]; 3 partials: f32[5 * partial_count];
//   4 totals: f32[7] = sumSqErr, sumSqSignal, maxAbsErr, valueMin, valueMax, kValue, kError;
//   5 hist: atomic u32[3 * BINS] = original | dequantized | error.
// Entry points, in order: partials (partial_count workgroups, grid-stride), finalize (one
//   workgroup), histogram (partial_count workgroups, grid-stride; hist must start zeroed).
//! include lib_float

override WG: u32 = 256u;
// Bins per histogram: a constant, not an override, because it sizes a workgroup array; equals
// HISTOGRAM_BINS in src/quant/metrics.ts. Scratch arrays are sized WG_MAX for the same reason
// (Dawn on SwiftShader hangs on override-sized workgroup arrays with an override workgroup size).
const BINS = 128u;
const WG_MAX = 256u;

struct Params {
  n: u32,
  partial_count: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> xhat: array<f32>;
@group(0) @binding(3) var<storage, read_write> partials: array<f32>;
@group(0) @binding(4) var<storage, read_write> totals: array<f32>;
@group(0) @binding(5) var<storage, read_write> hist: array<atomic<u32>>;

var<workgroup> s_err: array<f32, WG_MAX>;
var<workgroup> s_sig: array<f32, WG_MAX>;
var<workgroup> s_maxe: array<f32, WG_MAX>;
var<workgroup> s_min: array<f32, WG_MAX>;
var<workgroup> s_max: array<f32, WG_MAX>;
var<workgroup> s_hist: array<atomic<u32>, 3u * BINS>;

// Stores one thread's accumulators and tree-reduces them; the totals end up in slot 0.
fn reduce_shared(lid: u32, se: f32, ss: f32, me: f32, lo: f32, hi: f32) {
  s_err[lid] = se;
  s_sig[lid] = ss;
  s_maxe[lid] = me;
  s_min[lid] = lo;
  s_max[lid] = hi;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) {
      s_err[lid] += s_err[lid + s];
      s_sig[lid] += s_sig[lid + s];
      s_maxe[lid] = max(s_maxe[lid], s_maxe[lid + s]);
      s_min[lid] = min(s_min[lid], s_min[lid + s]);
      s_max[lid] = max(s_max[lid], s_max[lid + s]);
    }
    workgroupBarrier();
  }
}

@compute @workgroup_size(WG)
fn partials_pass(@builtin(global_invocation_id) gid: vec3u, @builtin(workgroup_id) wid: vec3u,
                 @builtin(local_invocation_index) lid: u32) {
  let big = bitcast<f32>(0x7f7fffffu);
  var se = 0.0;
  var ss = 0.0;
  var me = 0.0;
  var lo = big;
  var hi = -big;
  for (var i = gid.x; i < p.n; i += p.partial_count * WG) {
    let a = x[i];
    let b = xhat[i];
    let e = a - b;
    se += e * e;
    ss += a * a;
    me = max(me, abs(e));
    lo = min(lo, min(a, b));
    hi = max(hi, max(a, b));
  }
  reduce_shared(lid, se, ss, me, lo, hi);
  if (lid == 0u) {
    let o = wid.x * 5u;
    partials[o] = s_err[0];
    partials[o + 1u] = s_sig[0];
    partials[o + 2u] = s_maxe[0];
    partials[o + 3u] = s_min[0];
    partials[o + 4u] = s_max[0];
  }
}

fn bins_per_unit(lo: f32, hi: f32) -> f32 {
  let width = hi - lo;
  // Capped at the largest f32 like binsPerUnit: a tiny range must not give 0 * inf = NaN bins.
  return select(0.0, min(div_rn(f32(BINS), width), bitcast<f32>(0x7f7fffffu)), width > 0.0);
}

@compute @workgroup_size(WG)
fn finalize(@builtin(local_invocation_index) lid: u32) {
  let big = bitcast<f32>(0x7f7fffffu);
  var se = 0.0;
  var ss = 0.0;
  var me = 0.0;
  var lo = big;
  var hi = -big;
  for (var k = lid; k < p.partial_count; k += WG) {
    let o = k * 5u;
    se += partials[o];
    ss += partials[o + 1u];
    me = max(me, partials[o + 2u]);
    lo = min(lo, partials[o + 3u]);
    hi = max(hi, partials[o + 4u]);
  }
  reduce_shared(lid, se, ss, me, lo, hi);
  if (lid == 0u) {
    totals[0] = s_err[0];
    totals[1] = s_sig[0];
    totals[2] = s_maxe[0];
    totals[3] = s_min[0];
    totals[4] = s_max[0];
    totals[5] = bins_per_unit(s_min[0], s_max[0]);
    totals[6] = bins_per_unit(-s_maxe[0], s_maxe[0]);
  }
}

fn bin_of(v: f32, lo: f32, k: f32) -> u32 {
  return u32(clamp(floor((v - lo) * k), 0.0, f32(BINS - 1u)));
}

@compute @workgroup_size(WG)
fn histogram(@builtin(global_invocation_id) gid: vec3u, @builtin(local_invocation_index) lid: u32) {
  for (var b = lid; b < 3u * BINS; b += WG) { atomicStore(&s_hist[b], 0u); }
  workgroupBarrier();
  let v_lo = totals[3];
  let k_v = totals[5];
  let e_lo = -totals[2];
  let k_e = totals[6];
  for (var i = gid.x; i < p.n; i += p.partial_count * WG) {
    let a = x[i];
    let b = xhat[i];
    atomicAdd(&s_hist[bin_of(a, v_lo, k_v)], 1u);
    atomicAdd(&s_hist[BINS + bin_of(b, v_lo, k_v)], 1u);
    atomicAdd(&s_hist[2u * BINS + bin_of(a - b, e_lo, k_e)], 1u);
  }
  workgroupBarrier();
  for (var b = lid; b < 3u * BINS; b += WG) {
    let c = atomicLoad(&s_hist[b]);
    if (c != 0u) { atomicAdd(&hist[b], c); }
  }
}
