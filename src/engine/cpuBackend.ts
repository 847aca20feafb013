// engine: the CPU reference as a backend (fallback without WebGPU, and the oracle in tests).
import type { GroupLayout } from '../quant/groups';
import { dequantizeInt, type IntFormatParams, quantizeInt } from '../quant/int';
import { errorSums, histograms } from '../quant/metrics';
import type { QuantBackend, QuantJobOutput } from './backend';
import type { DeviceInfo } from './types';

/** Runs the whole job with `src/quant`; synchronous work wrapped in a promise. */
export function createCpuBackend(notice?: string): QuantBackend {
  const device: DeviceInfo = { backend: 'cpu', description: 'CPU reference', notice };
  return {
    device,
    async runInt(x: Float32Array, layout: GroupLayout, format: IntFormatParams): Promise<QuantJobOutput> {
      const q = quantizeInt(x, layout, format);
      const xhat = dequantizeInt(q);
      const sums = errorSums(x, xhat);
      return { scales: q.scales, zeros: q.zeros, sums, histograms: histograms(x, xhat, sums) };
    },
    dispose() {},
  };
}
