// gpu: acquiring a device, describing its adapter, and tracking device loss as state.
import { GpuDeviceLostError, GpuUnavailableError, GpuValidationError } from './errors';

/** A device plus what we know about where it runs. */
export interface GpuContext {
  readonly device: GPUDevice;
  /** "vendor · architecture" of the adapter, e.g. "google · swiftshader". */
  readonly adapterName: string;
  readonly features: readonly string[];
  /** Set once the device is lost; every later use throws GpuDeviceLostError. */
  lost: GpuDeviceLostError | null;
}

/** Requests an adapter and device; throws GpuUnavailableError with a reason a person can act on. */
export async function acquireGpu(gpu: GPU | undefined, adapterOptions?: GPURequestAdapterOptions): Promise<GpuContext> {
  if (!gpu) throw new GpuUnavailableError('WebGPU is not available in this browser (navigator.gpu is missing).');
  const adapter = await gpu.requestAdapter(adapterOptions);
  if (!adapter) throw new GpuUnavailableError('WebGPU is present but no GPU adapter is available (blocklisted or disabled GPU).');
  // Kernels use up to 256 threads per workgroup; compatibility-mode adapters default to 128.
  const requiredLimits = {
    maxComputeInvocationsPerWorkgroup: Math.min(256, adapter.limits.maxComputeInvocationsPerWorkgroup),
    maxComputeWorkgroupSizeX: Math.min(256, adapter.limits.maxComputeWorkgroupSizeX),
  };
  const device = await adapter.requestDevice({ label: 'lowbit', requiredLimits });
  const info = adapter.info;
  const adapterName = [info.vendor, info.architecture, info.description].filter(Boolean).join(' · ') || 'unknown adapter';
  const ctx: GpuContext = { device, adapterName, features: [...adapter.features].sort(), lost: null };
  void device.lost.then((l) => {
    ctx.lost = new GpuDeviceLostError(l.reason, `The GPU device was lost (${l.reason}${l.message ? `: ${l.message}` : ''}).`);
  });
  return ctx;
}

/** Throws if the device has been lost. */
export function ensureAlive(ctx: GpuContext): void {
  if (ctx.lost) throw ctx.lost;
}

/** Runs `work` inside validation and out-of-memory error scopes and turns reports into errors. */
export async function withErrorScopes<T>(device: GPUDevice, label: string, work: () => Promise<T>): Promise<T> {
  device.pushErrorScope('out-of-memory');
  device.pushErrorScope('validation');
  const outcome = await work().then((value) => ({ value }), (error: unknown) => ({ error }));
  const validation = await device.popErrorScope();
  const oom = await device.popErrorScope();
  const scoped = validation ?? oom;
  // A scope report is the root cause of whatever `work` then tripped over, so it wins.
  if (scoped) throw new GpuValidationError(`${label}: ${scoped.message}`);
  if ('error' in outcome) throw outcome.error;
  return outcome.value;
}
