// error_stats: sums, extremes, centred moments and fixed-bin histograms of x, x̂ and e = x - x̂.
// Matches src/quant/metrics.ts (errorSums within f32 summation error; binsPerUnit, binIndex,
// histograms and absErrorHistogram exactly). Overrides: WG (power of two, at most 256).
// Bindings (group 0): 0 uniform Params; 1 x: f32[n]; 2 xhat: f32[n];
//   3 stats: f32[PARTIALS + 8 * partial_count]: the totals first, [0, 14) = 0 sumSqErr, 1 sumSqSignal,
//     2 maxAbsErr, 3 valueMin, 4 valueMax, 5 kValue, 6 kError, 7 sumSqDequant, 8 sumSqDiff = Σ e(x + x̂),
//     9 sumSignal, 10 mean, 11 kAbsError, 12 sumCentred2, 13 sumCentred4; then 8 slots per workgroup
//     from PARTIALS on (range_pass writes 4, histogram 6);
//   4 hist: atomic u32[3 * BINS + ABS_BINS] = original | dequantized | error | |error| on [0, max].
// At most 4 storage buffers per entry point (compatibility-mode limit, see docs/DECISIONS.md).
// Entry points, in order: range_pass (partial_count workgroups, grid-stride: extremes and Σx),
//   finalize_range (one workgroup: ranges, bin widths, mean), histogram (partial_count workgroups;
//   hist must start zeroed: the four histograms and, in the same read of x and x̂, the sums of
//   squares and the centred moments around the mean), finalize_sums (one workgroup).
// Two reads of x and x̂ in all: the histograms need the ranges and the centred moments the mean,
// so everything else rides along with one of those two passes.
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
const PARTIALS = 16u; // where the per-workgroup partials start in `stats`

struct Params {
  n: u32,
  partial_count: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> xhat: array<f32>;
@group(0) @binding(3) var<storage, read_write> stats: array<f32>;
@group(0) @binding(4) var<storage, read_write> hist: array<atomic<u32>>;

// Tree scratch: a workgroup's vec4 lanes (every component reduced by its own rule).
var<workgroup> s_a: array<vec4<f32>, WG_MAX>;
var<workgroup> s_b: array<vec2<f32>, WG_MAX>;
var<workgroup> s_hist: array<atomic<u32>, 3u * BINS>;

const BIG: f32 = 0x1.fffffep+127f; // the largest f32

// min, max, max, + on the components of a range lane (lo, hi, max |e|, Σx).
fn combine_range(a: vec4<f32>, b: vec4<f32>) -> vec4<f32> {
  return vec4<f32>(min(a.x, b.x), max(a.y, b.y), max(a.z, b.z), a.w + b.w);
}

// Tree-reduces every thread's range lane; the result is in s_a[0].
fn reduce_range(lid: u32, v: vec4<f32>) {
  s_a[lid] = v;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) { s_a[lid] = combine_range(s_a[lid], s_a[lid + s]); }
    workgroupBarrier();
  }
}

// Tree-reduces every thread's sum lanes (4 + 2); the sums are in s_a[0] and s_b[0].
fn reduce_sums(lid: u32, a: vec4<f32>, b: vec2<f32>) {
  s_a[lid] = a;
  s_b[lid] = b;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) {
      s_a[lid] += s_a[lid + s];
      s_b[lid] += s_b[lid + s];
    }
    workgroupBarrier();
  }
}

@compute @workgroup_size(WG)
fn range_pass(@builtin(global_invocation_id) gid: vec3u, @builtin(workgroup_id) wid: vec3u,
              @builtin(local_invocation_index) lid: u32) {
  var acc = vec4<f32>(BIG, -BIG, 0.0, 0.0); // min(x, x̂), max(x, x̂), max |e|, Σx
  for (var i = gid.x; i < p.n; i += p.partial_count * WG) {
    let a = x[i];
    let b = xhat[i];
    acc = vec4<f32>(min(acc.x, min(a, b)), max(acc.y, max(a, b)), max(acc.z, abs(a - b)), acc.w + a);
  }
  reduce_range(lid, acc);
  if (lid == 0u) {
    let r = s_a[0];
    let o = PARTIALS + wid.x * 8u;
    stats[o] = r.x;
    stats[o + 1u] = r.y;
    stats[o + 2u] = r.z;
    stats[o + 3u] = r.w;
  }
}

fn bins_per_unit(lo: f32, hi: f32, bins: u32) -> f32 {
  let width = hi - lo;
  // Capped at the largest f32 like binsPerUnit: a tiny range must not give 0 * inf = NaN bins.
  return select(0.0, min(div_rn(f32(bins), width), BIG), width > 0.0);
}

@compute @workgroup_size(WG)
fn finalize_range(@builtin(local_invocation_index) lid: u32) {
  var acc = vec4<f32>(BIG, -BIG, 0.0, 0.0);
  for (var k = lid; k < p.partial_count; k += WG) {
    let o = PARTIALS + k * 8u;
    acc = combine_range(acc, vec4<f32>(stats[o], stats[o + 1u], stats[o + 2u], stats[o + 3u]));
  }
  reduce_range(lid, acc);
  if (lid == 0u) {
    let r = s_a[0];
    stats[2] = r.z;
    stats[3] = r.x;
    stats[4] = r.y;
    stats[5] = bins_per_unit(r.x, r.y, BINS);
    stats[6] = bins_per_unit(-r.z, r.z, BINS);
    stats[9] = r.w;
    stats[10] = r.w / f32(max(p.n, 1u));
    stats[11] = bins_per_unit(0.0, r.z, ABS_BINS);
  }
}

fn bin_of(v: f32, lo: f32, k: f32, bins: u32) -> u32 {
  return u32(clamp(floor((v - lo) * k), 0.0, f32(bins - 1u)));
}

// The histograms, and in the same read: Σe², Σx², Σx̂², Σe(x + x̂), and Σ(x − μ)², Σ(x − μ)⁴ around
// the finalized mean. Centring first keeps f32 error at the size of the centred terms; expanding raw
// Σx⁴ − 4μΣx³ + ... would cancel catastrophically whenever |μ| is not small against the spread.
@compute @workgroup_size(WG)
fn histogram(@builtin(global_invocation_id) gid: vec3u, @builtin(workgroup_id) wid: vec3u,
             @builtin(local_invocation_index) lid: u32) {
  for (var b = lid; b < 3u * BINS; b += WG) { atomicStore(&s_hist[b], 0u); }
  workgroupBarrier();
  let v_lo = stats[3];
  let k_v = stats[5];
  let e_lo = -stats[2];
  let k_e = stats[6];
  let k_abs = stats[11];
  let mean = stats[10];
  var sq = vec4<f32>(0.0); // Σe², Σx², Σx̂², Σe(x + x̂)
  var moments = vec2<f32>(0.0); // Σ(x − μ)², Σ(x − μ)⁴
  for (var i = gid.x; i < p.n; i += p.partial_count * WG) {
    let a = x[i];
    let b = xhat[i];
    let e = a - b;
    atomicAdd(&s_hist[bin_of(a, v_lo, k_v, BINS)], 1u);
    atomicAdd(&s_hist[BINS + bin_of(b, v_lo, k_v, BINS)], 1u);
    atomicAdd(&s_hist[2u * BINS + bin_of(e, e_lo, k_e, BINS)], 1u);
    atomicAdd(&hist[3u * BINS + bin_of(abs(e), 0.0, k_abs, ABS_BINS)], 1u);
    sq += vec4<f32>(e * e, a * a, b * b, e * (a + b));
    let d = a - mean;
    let d2 = d * d;
    moments += vec2<f32>(d2, d2 * d2);
  }
  workgroupBarrier();
  for (var b = lid; b < 3u * BINS; b += WG) {
    let c = atomicLoad(&s_hist[b]);
    if (c != 0u) { atomicAdd(&hist[b], c); }
  }
  reduce_sums(lid, sq, moments);
  if (lid == 0u) {
    let o = PARTIALS + wid.x * 8u;
    stats[o] = s_a[0].x;
    stats[o + 1u] = s_a[0].y;
    stats[o + 2u] = s_a[0].z;
    stats[o + 3u] = s_a[0].w;
    stats[o + 4u] = s_b[0].x;
    stats[o + 5u] = s_b[0].y;
  }
}

@compute @workgroup_size(WG)
fn finalize_sums(@builtin(local_invocation_index) lid: u32) {
  var sq = vec4<f32>(0.0);
  var moments = vec2<f32>(0.0);
  for (var k = lid; k < p.partial_count; k += WG) {
    let o = PARTIALS + k * 8u;
    sq += vec4<f32>(stats[o], stats[o + 1u], stats[o + 2u], stats[o + 3u]);
    moments += vec2<f32>(stats[o + 4u], stats[o + 5u]);
  }
  reduce_sums(lid, sq, moments);
  if (lid == 0u) {
    stats[0] = s_a[0].x;
    stats[1] = s_a[0].y;
    stats[7] = s_a[0].z;
    stats[8] = s_a[0].w;
    stats[12] = s_b[0].x;
    stats[13] = s_b[0].y;
  }
}
