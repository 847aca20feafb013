// lib_reduce: order-free workgroup reductions of u32 values (max, and exact 64-bit sums), by a tree over
// workgroup scratch. Included with `//! include lib_reduce` (brings lib_u64); needs the including
// kernel's override WG (threads per workgroup, a power of two <= 256). Call from uniform control
// flow with every thread of the workgroup: each returns the result to all threads and leaves the
// scratch free for the next call.
//! include lib_u64

// Fixed-size scratch: Dawn on SwiftShader hangs when a workgroup array is sized by an override in a
// pipeline whose workgroup size is also an override (docs/DECISIONS.md).
const REDUCE_MAX_WG = 256u;
var<workgroup> reduce_max: array<u32, REDUCE_MAX_WG>;
var<workgroup> reduce_lo: array<u32, REDUCE_MAX_WG>;
var<workgroup> reduce_hi: array<u32, REDUCE_MAX_WG>;

// The largest of the threads' values v (lid: local_invocation_index).
fn workgroup_max_u32(lid: u32, v: u32) -> u32 {
  reduce_max[lid] = v;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) { reduce_max[lid] = max(reduce_max[lid], reduce_max[lid + s]); }
    workgroupBarrier();
  }
  let r = reduce_max[0];
  workgroupBarrier(); // reduce_max is free again
  return r;
}

// The sum modulo 2^64 of the threads' 64-bit values v = (lo, hi) (lid: local_invocation_index).
fn workgroup_sum_u64(lid: u32, v: vec2u) -> vec2u {
  reduce_lo[lid] = v.x;
  reduce_hi[lid] = v.y;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) {
      let sum = add_u64(vec2u(reduce_lo[lid], reduce_hi[lid]), vec2u(reduce_lo[lid + s], reduce_hi[lid + s]));
      reduce_lo[lid] = sum.x;
      reduce_hi[lid] = sum.y;
    }
    workgroupBarrier();
  }
  let r = vec2u(reduce_lo[0], reduce_hi[0]);
  workgroupBarrier(); // reduce_lo / reduce_hi are free again
  return r;
}
