// gpu: what every kernel wrapper needs (device, buffer pool, pipeline cache) and small encoding helpers.
import type { GpuContext } from './device';
import { PipelineCache } from './pipelines';
import { BufferPool } from './pool';

export interface GpuRuntime {
  readonly ctx: GpuContext;
  readonly device: GPUDevice;
  readonly pool: BufferPool;
  readonly pipelines: PipelineCache;
}

export function createRuntime(ctx: GpuContext): GpuRuntime {
  return { ctx, device: ctx.device, pool: new BufferPool(ctx.device), pipelines: new PipelineCache(ctx.device) };
}

/** Releases pooled buffers and destroys the device. */
export function destroyRuntime(rt: GpuRuntime): void {
  rt.pool.destroy();
  rt.device.destroy();
}

/** Usage of every storage buffer (a function: GPUBufferUsage does not exist where WebGPU is missing). */
export function storageUsage(): GPUBufferUsageFlags {
  return GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
}

/** A pooled storage buffer holding `data`. */
export function uploadStorage(rt: GpuRuntime, data: Float32Array | Uint32Array, label: string): GPUBuffer {
  const buffer = rt.pool.acquire(data.byteLength, storageUsage(), label);
  rt.device.queue.writeBuffer(buffer, 0, data.buffer, data.byteOffset, data.byteLength);
  return buffer;
}

/** A pooled uniform buffer holding u32 fields (padded to 16 bytes). */
export function uploadUniform(rt: GpuRuntime, fields: number[], label: string): GPUBuffer {
  const data = new Uint32Array(Math.ceil(fields.length / 4) * 4);
  data.set(fields);
  const buffer = rt.pool.acquire(data.byteLength, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST, label);
  rt.device.queue.writeBuffer(buffer, 0, data);
  return buffer;
}

/** Encodes one compute pass: pipeline, bind group 0 from `bindings` (binding -> buffer), dispatch. */
export function encodePass(
  rt: GpuRuntime, encoder: GPUCommandEncoder, pipeline: GPUComputePipeline,
  bindings: Record<number, GPUBuffer>, workgroups: [number, number?],
): void {
  const bindGroup = rt.device.createBindGroup({
    label: `${pipeline.label}.bind`,
    layout: pipeline.getBindGroupLayout(0),
    entries: Object.entries(bindings).map(([binding, buffer]) => ({ binding: Number(binding), resource: { buffer } })),
  });
  const pass = encoder.beginComputePass({ label: pipeline.label });
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bindGroup);
  pass.dispatchWorkgroups(workgroups[0], workgroups[1] ?? 1);
  pass.end();
}
