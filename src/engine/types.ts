// engine: the results an experiment produces, small and serialisable (they cross the worker boundary).
import type { ModelSummary, TensorInfo } from '../model/load';
import type { ErrorMetrics, Histograms } from '../quant/metrics';

/** Which compute path produced a result, and how to describe it to a person. */
export interface DeviceInfo {
  readonly backend: 'webgpu' | 'cpu';
  /** e.g. "WebGPU · google swiftshader" or "CPU reference". */
  readonly description: string;
  /** Why the CPU path is used, when it is (shown as a notice). */
  readonly notice?: string;
}

/** What was quantized: the synthetic matrix (with its injected outlier columns) or a model's tensor. */
export type ResultSubject =
  | { readonly kind: 'synthetic'; readonly outlierColumns: number[] }
  | { readonly kind: 'model'; readonly tensor: TensorInfo; readonly model: ModelSummary };

/** Everything the tensor view shows for one spec. */
export interface TensorResult {
  readonly backend: DeviceInfo['backend'];
  /** Where the quantization ran: 'cpu' on a WebGPU backend means the format has no kernel yet. */
  readonly quantizedOn: DeviceInfo['backend'];
  readonly rows: number;
  readonly cols: number;
  readonly groupCount: number;
  /** Elements per group after clamping a block to the row length. */
  readonly groupSize: number;
  /** True when the requested block size was larger than a row and was clamped to it. */
  readonly blockClamped: boolean;
  /** Error metrics (definitions on ErrorMetrics in src/quant/metrics.ts) and storage cost. */
  readonly metrics: ErrorMetrics & {
    readonly bitsPerWeight: number;
    /** Bytes of packed codes plus scales and zero points. */
    readonly storageBytes: number;
  };
  readonly histograms: Histograms;
  /** Quantization levels of one group (the widest), for the lines on the value histogram. */
  readonly levels: { readonly group: number; readonly values: number[]; readonly where: string };
  readonly subject: ResultSubject;
  readonly elapsedMs: number;
}
