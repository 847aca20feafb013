// bench: encoders of the bench-only kernels (shaders/bench_copy.wgsl, shaders/bench_matmul_ref.wgsl): copy, read, empty dispatch, and the fixed GPU-shaped reference matvec/matmul.
import { grid2d } from '../src/gpu/dispatch';
import type { PackedGpuWeights } from '../src/gpu/kernels/matmulPacked';
import { f32, f32Bits } from '../src/lib/f32';
import { encodePass, type GpuRuntime, uploadUniform } from '../src/gpu/runtime';
import { chunksPerRow } from '../src/quant/packed/weights';
import type { EncodeOp } from './gpu';

const WG = 256;
/** vec4s each thread of the read kernel sums (READS in the shader). */
const READS = 4;

/** Encodes dst = src over `bytes` (a multiple of 16): one vec4 per thread. */
export function copyOp(rt: GpuRuntime, src: GPUBuffer, dst: GPUBuffer, bytes: number): EncodeOp {
  const count = bytes / 16;
  return (encoder) => {
    const uniform = uploadUniform(rt, [count, 0], 'bench_copy.params');
    encodePass(rt, encoder, rt.pipelines.get('bench_copy', 'copy', { WG }), { 0: uniform, 1: src, 2: dst }, grid2d(Math.ceil(count / WG)));
    return [uniform];
  };
}

/** The read kernel's grid for `bytes`: workgroups and the thread count T (thread t sums vec4s t, t + T, ..). */
export function readGrid(bytes: number): { groups: [number, number]; threads: number; reads: number } {
  const groups = grid2d(Math.ceil(bytes / 16 / (WG * READS)));
  return { groups, threads: groups[0] * groups[1] * WG, reads: READS };
}

/** CPU twin of read_sum for thread 0: its vec4 sum src[0] + src[T] + .. in f32, in the kernel's order. */
export function readSumReference(data: Float32Array, bytes: number): Float32Array {
  const { threads, reads } = readGrid(bytes);
  const acc = new Float32Array(4);
  for (let r = 0; r < reads; r++) {
    const e = r * threads;
    if (e >= bytes / 16) break;
    for (let c = 0; c < 4; c++) acc[c] = f32(acc[c] + data[4 * e + c]);
  }
  return acc;
}

/**
 * Encodes a read of `bytes` of src (every byte once). A thread writes its vec4 sum to sink[0] only
 * when its x and y equal `sentinel`: NaN (the default) for timing, the expected sum for the check.
 */
export function readOp(rt: GpuRuntime, src: GPUBuffer, sink: GPUBuffer, bytes: number, sentinel: [number, number] = [NaN, NaN]): EncodeOp {
  const count = bytes / 16;
  const { groups, threads } = readGrid(bytes);
  return (encoder) => {
    const uniform = uploadUniform(rt, [count, threads, f32Bits(sentinel[0]), f32Bits(sentinel[1])], 'bench_read.params');
    encodePass(rt, encoder, rt.pipelines.get('bench_copy', 'read_sum', { WG }), { 0: uniform, 1: src, 2: sink }, groups);
    return [uniform];
  };
}

/** Encodes `dispatches` empty dispatches (one workgroup each, a compute pass each, as our kernels use). */
export function emptyOp(rt: GpuRuntime, sink: GPUBuffer, dispatches: number): EncodeOp {
  return (encoder) => {
    const uniform = uploadUniform(rt, [1, 0], 'bench_empty.params');
    const pipeline = rt.pipelines.get('bench_copy', 'empty', { WG });
    for (let i = 0; i < dispatches; i++) encodePass(rt, encoder, pipeline, { 0: uniform, 2: sink }, [1]);
    return [uniform];
  };
}

/** Workgroups and threads a reference entry point launches for m rows of x (the guard compares launch shapes). */
export function referenceLaunch(entry: 'matvec_ref' | 'matmul_ref', n: number, m: number): { groups: [number, number]; workgroupSize: number } {
  return entry === 'matvec_ref'
    ? { groups: [n, m], workgroupSize: 64 }
    : { groups: [Math.ceil(n / 16), Math.ceil(m / 16)], workgroupSize: 256 };
}

/** Encodes y = x · Ŵᵀ with the reference kernel (affine or f32 weights only). */
export function referenceMatmulOp(
  rt: GpuRuntime, entry: 'matvec_ref' | 'matmul_ref', x: GPUBuffer, w: PackedGpuWeights, y: GPUBuffer, m: number,
): EncodeOp {
  if (w.mode !== 'affine' && w.mode !== 'f32') throw new Error(`The reference kernels take affine or f32 weights, not ${w.mode}.`);
  const { groups } = referenceLaunch(entry, w.n, m);
  if (groups[0] > 65535 || groups[1] > 65535) throw new Error(`${entry}: ${groups.join(' × ')} workgroups exceed 65535 per dimension.`);
  const constants = { BITS: w.bits, MODE: w.mode === 'f32' ? 3 : 0, GROUP: w.mode === 'f32' ? 1 : w.groupSize };
  return (encoder) => {
    const uniform = uploadUniform(rt, [m, w.n, w.k, chunksPerRow(w.k), w.groupsPerRow, w.shiftOffset, w.tableOffset, 0], 'bench_matmul_ref.params');
    encodePass(rt, encoder, rt.pipelines.get('bench_matmul_ref', entry, constants), { 0: uniform, 1: x, 2: w.codes, 3: w.meta, 4: y }, groups);
    return [uniform];
  };
}
