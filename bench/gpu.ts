// bench: the bench's own WebGPU device (timestamp queries and the adapter's largest buffers when offered), its fingerprint, and the timer every GPU figure goes through.
import { type GpuContext, withErrorScopes } from '../src/gpu/device';
import { createRuntime, type GpuRuntime } from '../src/gpu/runtime';
import { type AdapterFingerprint, fingerprintId, KEY_LIMITS, median, opsPerSubmit } from './stats';
import type { Timing } from './types';

/** A runtime on one adapter, with what the timer needs to know about it. */
export interface BenchGpu {
  readonly rt: GpuRuntime;
  readonly fingerprint: AdapterFingerprint;
  /** fingerprintId(fingerprint): printed beside every figure. */
  readonly id: string;
  /** Whether the device was created with 'timestamp-query'. */
  readonly timestamps: boolean;
}

/** The fingerprint of `adapter` as seen from `runtime` (e.g. "chromium 140 (headless)"). */
export function fingerprintOf(adapter: GPUAdapter, runtime: string): AdapterFingerprint {
  const info = adapter.info as GPUAdapterInfo & { subgroupMinSize?: number; subgroupMaxSize?: number; isFallbackAdapter?: boolean };
  const limits: Record<string, number> = {};
  for (const key of KEY_LIMITS) limits[key] = adapter.limits[key];
  return {
    runtime, vendor: info.vendor, architecture: info.architecture, description: info.description,
    fallback: typeof info.isFallbackAdapter === 'boolean' ? info.isFallbackAdapter : null,
    features: [...adapter.features].sort(),
    subgroupMinSize: info.subgroupMinSize ?? null, subgroupMaxSize: info.subgroupMaxSize ?? null,
    limits,
  };
}

/**
 * A device on `adapter` for the bench: the limits our kernels need (256 threads per workgroup),
 * the adapter's largest buffer and binding sizes (GPT-2's 768 × 50257 fp32 head is 154 MB), and
 * 'timestamp-query' when the adapter has it. Not acquireGpu: that one requests no features.
 */
export async function openBenchGpu(adapter: GPUAdapter, runtime: string): Promise<BenchGpu> {
  const fingerprint = fingerprintOf(adapter, runtime);
  const timestamps = adapter.features.has('timestamp-query');
  const device = await adapter.requestDevice({
    label: 'lowbit-bench',
    requiredFeatures: timestamps ? ['timestamp-query'] : [],
    requiredLimits: {
      maxComputeInvocationsPerWorkgroup: Math.min(256, adapter.limits.maxComputeInvocationsPerWorkgroup),
      maxComputeWorkgroupSizeX: Math.min(256, adapter.limits.maxComputeWorkgroupSizeX),
      maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
      maxBufferSize: adapter.limits.maxBufferSize,
    },
  });
  const ctx: GpuContext = { device, adapterName: fingerprintId(fingerprint), features: fingerprint.features, lost: null };
  void device.lost.then((l) => { if (l.reason !== 'destroyed') console.error(`bench: the GPU device was lost (${l.reason}: ${l.message})`); });
  return { rt: createRuntime(ctx), fingerprint, id: fingerprintId(fingerprint), timestamps };
}

/** How long and how often to time. */
export interface TimerOptions {
  /** Untimed submits after the first (which compiles pipelines) and the sizing one. */
  readonly warmups: number;
  /** Timed submits; the median is reported. */
  readonly repeats: number;
  /** Wanted length of one submit (ms): operations are added until one submit lasts about this long. */
  readonly targetMs: number;
  /** Most operations per submit. */
  readonly maxOps: number;
}

/** Encodes one operation into `encoder` and returns the pooled buffers to release once it has run. */
export type EncodeOp = (encoder: GPUCommandEncoder) => GPUBuffer[];

/** An empty compute pass that only writes a timestamp (the portable way to stamp between passes). */
function stampPass(encoder: GPUCommandEncoder, set: GPUQuerySet, index: number): void {
  const writes: GPUComputePassTimestampWrites = index === 0 ? { querySet: set, beginningOfPassWriteIndex: 0 } : { querySet: set, endOfPassWriteIndex: 1 };
  encoder.beginComputePass({ label: 'bench.stamp', timestampWrites: writes }).end();
}

/**
 * One submit of `count` operations: wall-clock ms from submit to onSubmittedWorkDone, and GPU ms
 * between timestamps written before the first and after the last operation (null without them).
 */
async function timedSubmit(g: BenchGpu, op: EncodeOp, count: number): Promise<{ wall: number; gpu: number | null }> {
  const { device } = g.rt;
  const encoder = device.createCommandEncoder({ label: 'bench.timed' });
  const set = g.timestamps ? device.createQuerySet({ type: 'timestamp', count: 2, label: 'bench.timestamps' }) : null;
  const resolve = set && device.createBuffer({ size: 16, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC, label: 'bench.resolve' });
  const read = set && device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, label: 'bench.stamps' });
  const scratch: GPUBuffer[] = [];
  if (set) stampPass(encoder, set, 0);
  for (let i = 0; i < count; i++) scratch.push(...op(encoder));
  if (set && resolve && read) {
    stampPass(encoder, set, 1);
    encoder.resolveQuerySet(set, 0, 2, resolve, 0);
    encoder.copyBufferToBuffer(resolve, 0, read, 0, 16);
  }
  const commands = encoder.finish();
  const t0 = performance.now();
  device.queue.submit([commands]);
  await device.queue.onSubmittedWorkDone();
  const wall = performance.now() - t0;
  await g.rt.pool.releaseAfterSubmit(scratch);
  if (!set || !read || !resolve) return { wall, gpu: null };
  try {
    await read.mapAsync(GPUMapMode.READ);
    const [begin, end] = new BigUint64Array(read.getMappedRange().slice(0));
    // A zero or backwards pair means the adapter did not really stamp (some report 0s): fall back to wall-clock.
    return { wall, gpu: end > begin && begin > 0n ? Number(end - begin) / 1e6 : null };
  } finally {
    if (read.mapState === 'mapped') read.unmap();
    read.destroy(); resolve.destroy(); set.destroy();
  }
}

/**
 * Times `op`: one submit to compile and warm, one to size (how many operations make a submit of
 * about targetMs), `warmups` untimed submits, then `repeats` timed ones. Reports the median per
 * operation by timestamp queries when the device has them (and they stamp), else wall-clock.
 */
export async function timeOp(g: BenchGpu, op: EncodeOp, options: TimerOptions): Promise<Timing> {
  // A kernel that fails validation would otherwise time as a no-op: its errors end the measurement.
  await withErrorScopes(g.rt.device, 'bench: the timed operation', () => timedSubmit(g, op, 1));
  const sizing = await timedSubmit(g, op, 1);
  const count = opsPerSubmit(sizing.gpu ?? sizing.wall, options.targetMs, options.maxOps);
  for (let i = 0; i < options.warmups; i++) await timedSubmit(g, op, count);
  const wall: number[] = [], gpu: number[] = [];
  for (let i = 0; i < options.repeats; i++) {
    const t = await timedSubmit(g, op, count);
    wall.push(t.wall / count);
    if (t.gpu !== null) gpu.push(t.gpu / count);
  }
  const stamped = gpu.length === wall.length;
  const samples = stamped ? gpu : wall;
  return {
    method: stamped ? 'timestamp-query' : 'wall-clock', ms: median(samples), wallMs: median(wall), samples,
    opsPerSubmit: count, repeats: options.repeats, warmups: options.warmups,
  };
}

/**
 * Times a sequence of calls the way an application makes them, one submit each (the protocol of
 * the peer comparison, where the other library submits by itself): `calls` of them back to back,
 * then onSubmittedWorkDone; wall-clock ms per call, median over repeats after `warmups` rounds.
 */
export async function timeCalls(device: GPUDevice, call: () => Promise<void>, calls: number, warmups: number, repeats: number): Promise<Timing> {
  const round = async () => {
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) await call();
    await device.queue.onSubmittedWorkDone();
    return (performance.now() - t0) / calls;
  };
  for (let i = 0; i < warmups + 1; i++) await round();
  const samples: number[] = [];
  for (let i = 0; i < repeats; i++) samples.push(await round());
  const ms = median(samples);
  return { method: 'wall-clock', ms, wallMs: ms, samples, opsPerSubmit: 1, repeats, warmups: warmups + 1 };
}
