// error_stats: sums, extremes, centred moments and fixed-bin histograms of x, x̂ and e = x - x̂.
// Matches src/quant/metrics.ts (errorSums within f32 summation error; binsPerUnit, binIndex,
// histograms and absErrorHistogram exactly). Overrides: WG (power of two, at most 256).
// Bindings (group 0): 0 uniform Params; 1 x: f32[n]; 2 xhat: f32[n];
//   3 partials: f32[8 * partial_count] (reused by the moments pass: 2 per workgroup);
//   4 totals: f32[TOTALS] = 0 sumSqErr, 1 sumSqSignal, 2 maxAbsErr, 3 valueMin, 4 valueMax,
//     5 kValue, 6 kError, 7 sumSqDequant, 8 sumSqDiff = Σ e(x + x̂), 9 sumSignal, 10 mean,
//     11 kAbsError, 12 sumCentred2, 13 sumCentred4;
//   5 hist: atomic u32[3 * BINS + ABS_BINS] = original | dequantized | error | |error| on [0, max].
// At most 4 storage buffers per entry point (compatibility-mode limit, see docs/DECISIONS.md).
// Entry points, in order: partials_pass (partial_count workgroups, grid-stride), finalize (one
//   workgroup), histogram (partial_count workgroups; hist must start zeroed), moments_pass
//   (partial_count workgroups), finalize_moments (one workgroup).
//! include lib_float

override WG: u32 = 256u;
// Bins per histogram: a constant, not an override, because it sizes a workgroup array; equals
// HISTOGRAM_BINS in src/quant/metrics.ts. Scratch arrays are sized WG_MAX for the same reason
// (Dawn on SwiftShader hangs on override-sized workgroup arrays with an override workgroup size).
const BINS = 128u;
// Fine |error| bins (ABS_ERROR_BINS): counted with global atomics, since 4096 workgroup counters
// next to the 3 * BINS ones would pass the 16 KiB workgroup storage limit.
const ABS_BINS = 4096u;
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
var<workgroup> s_deq: array<f32, WG_MAX>;
var<workgroup> s_diff: array<f32, WG_MAX>;
var<workgroup> s_sum: array<f32, WG_MAX>;
var<workgroup> s_hist: array<atomic<u32>, 3u * BINS>;

// One thread's accumulators of the first pass.
struct Acc {
  se: f32,   // Σ e²
  ss: f32,   // Σ x²
  me: f32,   // max |e|
  lo: f32,   // min(x, x̂)
  hi: f32,   // max(x, x̂)
  sd: f32,   // Σ x̂²
  sdiff: f32, // Σ e (x + x̂)
  sx: f32,   // Σ x
}

fn acc_zero() -> Acc {
  let big = bitcast<f32>(0x7f7fffffu);
  return Acc(0.0, 0.0, 0.0, big, -big, 0.0, 0.0, 0.0);
}

// Stores one thread's accumulators and tree-reduces them; the totals end up in slot 0.
fn reduce_shared(lid: u32, a: Acc) {
  s_err[lid] = a.se;
  s_sig[lid] = a.ss;
  s_maxe[lid] = a.me;
  s_min[lid] = a.lo;
  s_max[lid] = a.hi;
  s_deq[lid] = a.sd;
  s_diff[lid] = a.sdiff;
  s_sum[lid] = a.sx;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) {
      s_err[lid] += s_err[lid + s];
      s_sig[lid] += s_sig[lid + s];
      s_maxe[lid] = max(s_maxe[lid], s_maxe[lid + s]);
      s_min[lid] = min(s_min[lid], s_min[lid + s]);
      s_max[lid] = max(s_max[lid], s_max[lid + s]);
      s_deq[lid] += s_deq[lid + s];
      s_diff[lid] += s_diff[lid + s];
      s_sum[lid] += s_sum[lid + s];
    }
    workgroupBarrier();
  }
}

@compute @workgroup_size(WG)
fn partials_pass(@builtin(global_invocation_id) gid: vec3u, @builtin(workgroup_id) wid: vec3u,
                 @builtin(local_invocation_index) lid: u32) {
  var acc = acc_zero();
  for (var i = gid.x; i < p.n; i += p.partial_count * WG) {
    let a = x[i];
    let b = xhat[i];
    let e = a - b;
    acc.se += e * e;
    acc.ss += a * a;
    acc.me = max(acc.me, abs(e));
    acc.lo = min(acc.lo, min(a, b));
    acc.hi = max(acc.hi, max(a, b));
    acc.sd += b * b;
    acc.sdiff += e * (a + b);
    acc.sx += a;
  }
  reduce_shared(lid, acc);
  if (lid == 0u) {
    let o = wid.x * 8u;
    partials[o] = s_err[0];
    partials[o + 1u] = s_sig[0];
    partials[o + 2u] = s_maxe[0];
    partials[o + 3u] = s_min[0];
    partials[o + 4u] = s_max[0];
    partials[o + 5u] = s_deq[0];
    partials[o + 6u] = s_diff[0];
    partials[o + 7u] = s_sum[0];
  }
}

fn bins_per_unit(lo: f32, hi: f32, bins: u32) -> f32 {
  let width = hi - lo;
  // Capped at the largest f32 like binsPerUnit: a tiny range must not give 0 * inf = NaN bins.
  return select(0.0, min(div_rn(f32(bins), width), bitcast<f32>(0x7f7fffffu)), width > 0.0);
}

@compute @workgroup_size(WG)
fn finalize(@builtin(local_invocation_index) lid: u32) {
  var acc = acc_zero();
  for (var k = lid; k < p.partial_count; k += WG) {
    let o = k * 8u;
    acc.se += partials[o];
    acc.ss += partials[o + 1u];
    acc.me = max(acc.me, partials[o + 2u]);
    acc.lo = min(acc.lo, partials[o + 3u]);
    acc.hi = max(acc.hi, partials[o + 4u]);
    acc.sd += partials[o + 5u];
    acc.sdiff += partials[o + 6u];
    acc.sx += partials[o + 7u];
  }
  reduce_shared(lid, acc);
  if (lid == 0u) {
    totals[0] = s_err[0];
    totals[1] = s_sig[0];
    totals[2] = s_maxe[0];
    totals[3] = s_min[0];
    totals[4] = s_max[0];
    totals[5] = bins_per_unit(s_min[0], s_max[0], BINS);
    totals[6] = bins_per_unit(-s_maxe[0], s_maxe[0], BINS);
    totals[7] = s_deq[0];
    totals[8] = s_diff[0];
    totals[9] = s_sum[0];
    totals[10] = s_sum[0] / f32(max(p.n, 1u));
    totals[11] = bins_per_unit(0.0, s_maxe[0], ABS_BINS);
  }
}

fn bin_of(v: f32, lo: f32, k: f32, bins: u32) -> u32 {
  return u32(clamp(floor((v - lo) * k), 0.0, f32(bins - 1u)));
}

@compute @workgroup_size(WG)
fn histogram(@builtin(global_invocation_id) gid: vec3u, @builtin(local_invocation_index) lid: u32) {
  for (var b = lid; b < 3u * BINS; b += WG) { atomicStore(&s_hist[b], 0u); }
  workgroupBarrier();
  let v_lo = totals[3];
  let k_v = totals[5];
  let e_lo = -totals[2];
  let k_e = totals[6];
  let k_abs = totals[11];
  for (var i = gid.x; i < p.n; i += p.partial_count * WG) {
    let a = x[i];
    let b = xhat[i];
    let e = a - b;
    atomicAdd(&s_hist[bin_of(a, v_lo, k_v, BINS)], 1u);
    atomicAdd(&s_hist[BINS + bin_of(b, v_lo, k_v, BINS)], 1u);
    atomicAdd(&s_hist[2u * BINS + bin_of(e, e_lo, k_e, BINS)], 1u);
    atomicAdd(&hist[3u * BINS + bin_of(abs(e), 0.0, k_abs, ABS_BINS)], 1u);
  }
  workgroupBarrier();
  for (var b = lid; b < 3u * BINS; b += WG) {
    let c = atomicLoad(&s_hist[b]);
    if (c != 0u) { atomicAdd(&hist[b], c); }
  }
}

// Second pass over x for the kurtosis: Σ (x − μ)² and Σ (x − μ)⁴ around the finalized mean. Centring
// first keeps f32 error at the size of the centred terms; expanding raw Σ x⁴ − 4μ Σ x³ + ... would
// cancel catastrophically whenever |μ| is not small against the spread.
@compute @workgroup_size(WG)
fn moments_pass(@builtin(global_invocation_id) gid: vec3u, @builtin(workgroup_id) wid: vec3u,
                @builtin(local_invocation_index) lid: u32) {
  let mean = totals[10];
  var s2 = 0.0;
  var s4 = 0.0;
  for (var i = gid.x; i < p.n; i += p.partial_count * WG) {
    let d = x[i] - mean;
    let d2 = d * d;
    s2 += d2;
    s4 += d2 * d2;
  }
  reduce_pair(lid, s2, s4);
  if (lid == 0u) {
    partials[wid.x * 2u] = s_err[0];
    partials[wid.x * 2u + 1u] = s_sig[0];
  }
}

fn reduce_pair(lid: u32, a: f32, b: f32) {
  s_err[lid] = a;
  s_sig[lid] = b;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) {
      s_err[lid] += s_err[lid + s];
      s_sig[lid] += s_sig[lid + s];
    }
    workgroupBarrier();
  }
}

@compute @workgroup_size(WG)
fn finalize_moments(@builtin(local_invocation_index) lid: u32) {
  var s2 = 0.0;
  var s4 = 0.0;
  for (var k = lid; k < p.partial_count; k += WG) {
    s2 += partials[k * 2u];
    s4 += partials[k * 2u + 1u];
  }
  reduce_pair(lid, s2, s4);
  if (lid == 0u) {
    totals[12] = s_err[0];
    totals[13] = s_sig[0];
  }
}
