// engine: picks the compute path — WebGPU when an adapter is there, else the CPU reference with a notice.
import { acquireGpu } from '../gpu/device';
import { GpuUnavailableError } from '../gpu/errors';
import { createRuntime } from '../gpu/runtime';
import type { QuantBackend } from './backend';
import { createCpuBackend } from './cpuBackend';
import { createWebGpuBackend } from './gpuBackend';

/** Tries WebGPU on `gpu` (navigator.gpu, or Dawn's in Node); falls back to the CPU with a reason. */
export async function selectBackend(gpu: GPU | undefined, forceCpu = false): Promise<QuantBackend> {
  if (forceCpu) return createCpuBackend('The CPU reference was requested (backend=cpu in the address).');
  try {
    return createWebGpuBackend(createRuntime(await acquireGpu(gpu)));
  } catch (e) {
    if (!(e instanceof GpuUnavailableError)) throw e;
    return createCpuBackend(`${e.message} lowbit computes on the CPU reference instead, which is slower. Use a recent Chrome or Edge for WebGPU.`);
  }
}
