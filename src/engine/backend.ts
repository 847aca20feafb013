// engine: the interface both compute paths (WebGPU kernels, CPU reference) implement.
import type { GroupLayout } from '../quant/groups';
import type { IntFormatParams } from '../quant/int';
import type { ErrorSums, Histograms } from '../quant/metrics';
import type { DeviceInfo } from './types';

/** What one quantize → dequantize → measure job returns. */
export interface QuantJobOutput {
  readonly scales: Float32Array;
  readonly zeros: Float32Array;
  readonly sums: ErrorSums;
  readonly histograms: Histograms;
}

export interface QuantBackend {
  readonly device: DeviceInfo;
  /** Quantizes x with the integer format, dequantizes, and measures error and histograms. */
  runInt(x: Float32Array, layout: GroupLayout, format: IntFormatParams): Promise<QuantJobOutput>;
  dispose(): void;
}
