// bench: what every GPU suite gets (device, options, log, the copy yardstick) and small helpers to run an operation once and read a buffer.
import { readBuffers } from '../src/gpu/readback';
import type { EncodeOp, BenchGpu } from './gpu';
import type { BenchOptions } from './options';

/** Bandwidths of the yardstick kernels on this adapter (bytes/s), measured first. */
export interface Yardstick {
  /** Copy kernel: bytes read + bytes written per second. */
  readonly copy: number;
  /** Read kernel: bytes read per second. */
  readonly read: number;
  /** ms of one empty dispatch (its own compute pass), amortized over a submit of many. */
  readonly emptyDispatchMs: number;
}

export interface SuiteContext {
  readonly g: BenchGpu;
  readonly options: BenchOptions;
  readonly log: (line: string) => void;
}

/** Encodes `op` once, submits, waits, releases its pooled buffers. */
export async function runOnce(g: BenchGpu, op: EncodeOp): Promise<void> {
  const encoder = g.rt.device.createCommandEncoder({ label: 'bench.once' });
  const scratch = op(encoder);
  g.rt.device.queue.submit([encoder.finish()]);
  await g.rt.pool.releaseAfterSubmit(scratch);
}

/** The first `count` f32 of `buffer` (one submit, one map). */
export async function readFloats(g: BenchGpu, buffer: GPUBuffer, count: number): Promise<Float32Array> {
  const [bytes] = await readBuffers(g.rt.device, g.rt.device.createCommandEncoder({ label: 'bench.readback' }), [buffer]);
  return new Float32Array(bytes, 0, count);
}

/** A storage buffer (not pooled) holding `data`; destroy it when done. */
export function storageBuffer(g: BenchGpu, data: Float32Array | Uint32Array | number, label: string): GPUBuffer {
  const size = typeof data === 'number' ? data : data.byteLength;
  const buffer = g.rt.device.createBuffer({ label, size: Math.max(16, Math.ceil(size / 16) * 16), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
  if (typeof data !== 'number') g.rt.device.queue.writeBuffer(buffer, 0, data.buffer, data.byteOffset, data.byteLength);
  return buffer;
}

/** max |a[i] − b[i]| (NaN anywhere makes it NaN, so a NaN never passes a check). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return NaN;
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (Number.isNaN(d)) return NaN;
    if (d > worst) worst = d;
  }
  return worst;
}
