// engine: the interface both compute paths (WebGPU kernels, CPU reference) implement.
import type { FormatChoice } from '../quant/apply';
import type { GroupLayout } from '../quant/groups';
import type { ErrorSums, Histograms } from '../quant/metrics';
import type { GpuRuntime } from '../gpu/runtime';
import type { DeviceInfo } from './types';

/** What one quantize → dequantize → measure job returns. */
export interface QuantJobOutput {
  /** Group with the largest scale, and the values it can represent (lines on the value histogram). */
  readonly widestGroup: number;
  readonly widestLevels: number[];
  readonly sums: ErrorSums;
  readonly histograms: Histograms;
  /** Where the quantization itself ran (a format without a GPU kernel yet runs on the CPU). */
  readonly quantizedOn: DeviceInfo['backend'];
}

export interface QuantBackend {
  readonly device: DeviceInfo;
  /** The GPU runtime of the WebGPU backend (model passes run on it); absent on the CPU backend. */
  readonly runtime?: GpuRuntime;
  /** Quantizes x with `choice`, dequantizes, and measures error and histograms. */
  run(x: Float32Array, layout: GroupLayout, choice: FormatChoice): Promise<QuantJobOutput>;
  dispose(): void;
}

/** Index of the largest value (the widest group's scale). */
export function argmax(a: Float32Array): number {
  let best = 0;
  for (let i = 1; i < a.length; i++) if (a[i] > a[best]) best = i;
  return best;
}
