// bench: a runtime whose command encoders record every compute dispatch (pipeline label and workgroup counts), to count what a forward pass or a kernel launches.
import type { GpuRuntime } from '../src/gpu/runtime';

/** One recorded dispatch. */
export interface Dispatch {
  /** The pipeline's label ("matmul_packed.matvec"). */
  readonly pipeline: string;
  readonly workgroups: readonly [number, number, number];
}

/** `target` behind a proxy that answers with `override` first and binds every other method to the real object (native objects check `this`). */
function wrap<T extends object>(target: T, override: Partial<Record<keyof T, unknown>>): T {
  return new Proxy(target, {
    get(t, key) {
      if (key in override) return override[key as keyof T];
      const value = Reflect.get(t, key, t) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(t) : value;
    },
  });
}

/** `encoder` with every compute pass's dispatches appended to `log`. */
export function recordingEncoder(encoder: GPUCommandEncoder, log: Dispatch[]): GPUCommandEncoder {
  return wrap(encoder, {
    beginComputePass: (descriptor?: GPUComputePassDescriptor) => {
      const pass = encoder.beginComputePass(descriptor);
      let pipeline = '';
      return wrap(pass, {
        setPipeline: (p: GPUComputePipeline) => { pipeline = p.label; pass.setPipeline(p); },
        dispatchWorkgroups: (x: number, y = 1, z = 1) => { log.push({ pipeline, workgroups: [x, y, z] }); pass.dispatchWorkgroups(x, y, z); },
      });
    },
  });
}

/** `rt` with a device whose createCommandEncoder returns recording encoders (buffers, pool and pipelines are the real ones). */
export function recordingRuntime(rt: GpuRuntime, log: Dispatch[]): GpuRuntime {
  const device = wrap(rt.device, {
    createCommandEncoder: (descriptor?: GPUCommandEncoderDescriptor) => recordingEncoder(rt.device.createCommandEncoder(descriptor), log),
  });
  return { ...rt, device };
}
