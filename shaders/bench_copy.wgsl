// bench_copy: the bandwidth yardsticks of the benchmark suite (bench/kernels.ts): a plain copy (its twin is
// the identity), a read-only pass (twin: readSumReference in bench/kernels.ts), and an empty kernel for
// dispatch overhead. Used only by `npm run bench`; tested by tests/gpu/bench-kernels.test.ts.
// Shapes are the textbook GPU ones on purpose (one vec4 per thread, consecutive threads on
// consecutive addresses), never tuned for a software adapter.
// Overrides: WG (threads per workgroup, <= 256).
// Bindings (group 0): 0 uniform Params; 1 src: vec4<f32>[count]; 2 dst: vec4<f32>[count] (copy), or
//   at least one vec4 (read: a thread's sum is written only when its x and y equal the sentinel, so
//   the reads cannot be optimised away; the timed runs pass NaN, which equals nothing, and the
//   check passes the sum the CPU expects; empty: never written).
// Entry points (2-D grid, thread id = gid.x + gid.y · num_workgroups.x · WG):
//   copy      dst[i] = src[i] for i < count.
//   read_sum  each thread sums READS vec4s at i, i + T, i + 2T, .. (T = threads in the grid).
//   empty     reads the uniform and returns: the cost of a dispatch that does no work.

override WG: u32 = 256u;
const READS = 4u;

struct Params {
  count: u32,   // vec4 elements
  threads: u32, // threads of the read grid (T above)
  sentinel_x: f32,
  sentinel_y: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> dst: array<vec4<f32>>;

fn thread_id(gid: vec3<u32>, groups: vec3<u32>) -> u32 {
  return gid.x + gid.y * groups.x * WG;
}

@compute @workgroup_size(WG)
fn copy(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = thread_id(gid, groups);
  if (i < p.count) { dst[i] = src[i]; }
}

@compute @workgroup_size(WG)
fn read_sum(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = thread_id(gid, groups);
  var acc = vec4<f32>(0.0);
  for (var r = 0u; r < READS; r++) {
    let e = i + r * p.threads;
    if (e < p.count) { acc += src[e]; }
  }
  if (acc.x == p.sentinel_x && acc.y == p.sentinel_y) { dst[0] = acc; }
}

@compute @workgroup_size(WG)
fn empty(@builtin(global_invocation_id) gid: vec3<u32>) {
  if (gid.x == 0xffffffffu && p.count == 0xffffffffu) { dst[0] = vec4<f32>(0.0); }
}
