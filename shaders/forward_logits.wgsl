// forward_logits: per-row statistics of next-token logits, so a perplexity or KL pass reads back a
// few words per token instead of the whole vocabulary.
// Matches logSoftmax / argmax in src/model/forward/ops.ts and the per-position terms of
// compareDistributions in src/model/forward/compare.ts (f64 there; f32 here: max, then Σ exp(x − max)
// per thread in index order and by a tree, lse = max + log Σ).
// Entry points (one workgroup of 256 threads per row; grid: rows):
//   row_stats  logits a → out[(row0 + row) · 3 + ..] = argmax (first on ties), f32 bits of
//              lse = log Σ exp(a), f32 bits of nll = lse − a[tgt] (NaN bits when tgt < 0).
//   kl_rows    logits a (reference) and b → out[(row0 + row) · 8 + ..] = argmax a, argmax b, lse a,
//              lse b, nll a, nll b, KL(P_a || P_b) = Σ p_a ((a − max a) − (b − max b)) − (log s_a −
//              log s_b) with s = Σ exp(x − max), clamped at 0 as the CPU does, then a zero word.
// Bindings (group 0): 0 uniform Params; 1 a: f32[rows · vocab]; 2 b: f32[rows · vocab] (kl_rows);
//   3 targets: i32[row0 + rows] (a token id, or −1 for no tgt); 4 out: u32 as above.

const WG = 256u;
const NAN_BITS = 0x7fc00000u;

struct Params {
  rows: u32,
  vocab: u32,
  row0: u32, // row of this chunk in targets and out
  pad: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read> targets: array<i32>;
@group(0) @binding(4) var<storage, read_write> out: array<u32>;

// One set of arrays per reduction (max, sums, cross term): reusing arrays across reductions broke
// results on Dawn's GL backend (llvmpipe), see forward_norm.wgsl.
var<workgroup> val_a: array<f32, WG>;
var<workgroup> idx_a: array<u32, WG>;
var<workgroup> val_b: array<f32, WG>;
var<workgroup> idx_b: array<u32, WG>;
var<workgroup> sum_a: array<f32, WG>;
var<workgroup> sum_b: array<f32, WG>;
var<workgroup> cross_sum: array<f32, WG>;

// (value, index) pair that wins a max with first-index tie-breaking.
fn better(v: f32, i: u32, w: f32, j: u32) -> bool {
  return w > v || (w == v && j < i);
}

// Tree max with argmax over val_a/idx_a (and val_b/idx_b when `both`); results in slot 0.
fn reduce_max(t: u32, both: bool) {
  workgroupBarrier();
  for (var half = WG / 2u; half > 0u; half >>= 1u) {
    if (t < half) {
      if (better(val_a[t], idx_a[t], val_a[t + half], idx_a[t + half])) { val_a[t] = val_a[t + half]; idx_a[t] = idx_a[t + half]; }
      if (both && better(val_b[t], idx_b[t], val_b[t + half], idx_b[t + half])) { val_b[t] = val_b[t + half]; idx_b[t] = idx_b[t + half]; }
    }
    workgroupBarrier();
  }
}

// Tree sums of sum_a (and sum_b when `both`); results in slot 0.
fn reduce_sums(t: u32, both: bool) {
  workgroupBarrier();
  for (var half = WG / 2u; half > 0u; half >>= 1u) {
    if (t < half) {
      sum_a[t] += sum_a[t + half];
      if (both) { sum_b[t] += sum_b[t + half]; }
    }
    workgroupBarrier();
  }
}

// nll bits of a row whose tgt logit is `logit`: lse − logit, or NaN without a tgt.
fn nll_bits(tgt: i32, lse: f32, logit: f32) -> u32 {
  if (tgt < 0) { return NAN_BITS; }
  return bitcast<u32>(lse - logit);
}

@compute @workgroup_size(WG)
fn row_stats(@builtin(local_invocation_index) t: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  let row = wid.x;
  let base = row * p.vocab;
  var m = -3.4e38;
  var mi = 0xffffffffu;
  for (var v = t; v < p.vocab; v += WG) {
    if (better(m, mi, a[base + v], v)) { m = a[base + v]; mi = v; }
  }
  val_a[t] = m;
  idx_a[t] = mi;
  reduce_max(t, false);
  let top = val_a[0];
  let arg = idx_a[0];
  var s = 0.0;
  for (var v = t; v < p.vocab; v += WG) { s += exp(a[base + v] - top); }
  sum_a[t] = s;
  reduce_sums(t, false);
  if (t == 0u) {
    let lse = top + log(sum_a[0]);
    let at = (p.row0 + row) * 3u;
    out[at] = arg;
    out[at + 1u] = bitcast<u32>(lse);
    let tgt = targets[p.row0 + row];
    out[at + 2u] = nll_bits(tgt, lse, a[base + u32(max(tgt, 0))]);
  }
}

@compute @workgroup_size(WG)
fn kl_rows(@builtin(local_invocation_index) t: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  let row = wid.x;
  let base = row * p.vocab;
  var ma = -3.4e38;
  var ia = 0xffffffffu;
  var mb = -3.4e38;
  var ib = 0xffffffffu;
  for (var v = t; v < p.vocab; v += WG) {
    if (better(ma, ia, a[base + v], v)) { ma = a[base + v]; ia = v; }
    if (better(mb, ib, b[base + v], v)) { mb = b[base + v]; ib = v; }
  }
  val_a[t] = ma;
  idx_a[t] = ia;
  val_b[t] = mb;
  idx_b[t] = ib;
  reduce_max(t, true);
  let top_a = val_a[0];
  let top_b = val_b[0];
  let arg_a = idx_a[0];
  let arg_b = idx_b[0];
  var sa = 0.0;
  var sb = 0.0;
  for (var v = t; v < p.vocab; v += WG) {
    sa += exp(a[base + v] - top_a);
    sb += exp(b[base + v] - top_b);
  }
  sum_a[t] = sa;
  sum_b[t] = sb;
  reduce_sums(t, true);
  let log_sa = log(sum_a[0]);
  let log_sb = log(sum_b[0]);
  // Σ_v p_a(v) · ((a_v − max a) − (b_v − max b)); the log-normalisers are subtracted once below.
  var cross = 0.0;
  for (var v = t; v < p.vocab; v += WG) {
    let da = a[base + v] - top_a;
    cross += exp(da - log_sa) * (da - (b[base + v] - top_b));
  }
  cross_sum[t] = cross;
  workgroupBarrier();
  for (var half = WG / 2u; half > 0u; half >>= 1u) {
    if (t < half) { cross_sum[t] += cross_sum[t + half]; }
    workgroupBarrier();
  }
  if (t == 0u) {
    let lse_a = top_a + log_sa;
    let lse_b = top_b + log_sb;
    let at = (p.row0 + row) * 8u;
    out[at] = arg_a;
    out[at + 1u] = arg_b;
    out[at + 2u] = bitcast<u32>(lse_a);
    out[at + 3u] = bitcast<u32>(lse_b);
    let tgt = targets[p.row0 + row];
    let at_target = base + u32(max(tgt, 0));
    out[at + 4u] = nll_bits(tgt, lse_a, a[at_target]);
    out[at + 5u] = nll_bits(tgt, lse_b, b[at_target]);
    out[at + 6u] = bitcast<u32>(max(0.0, cross_sum[0] - (log_sa - log_sb)));
    out[at + 7u] = 0u;
  }
}
