// engine: the CPU reference as a backend (fallback without WebGPU, and the oracle in tests).
import { type FormatChoice, quantizeWith } from '../quant/apply';
import type { GroupLayout } from '../quant/groups';
import { errorSums, histograms } from '../quant/metrics';
import { argmax, type QuantBackend, type QuantJobOutput } from './backend';
import type { DeviceInfo } from './types';

/** Runs the whole job with `src/quant`; synchronous work wrapped in a promise. */
export function createCpuBackend(notice?: string): QuantBackend {
  const device: DeviceInfo = { backend: 'cpu', description: 'CPU reference', notice };
  return {
    device,
    async run(x: Float32Array, layout: GroupLayout, choice: FormatChoice): Promise<QuantJobOutput> {
      const q = quantizeWith(x, layout, choice);
      const sums = errorSums(x, q.xhat);
      const widestGroup = argmax(q.groupScales);
      return {
        widestGroup, widestLevels: q.levels(widestGroup), sums,
        histograms: histograms(x, q.xhat, sums), quantizedOn: 'cpu',
      };
    },
    dispose() {},
  };
}
