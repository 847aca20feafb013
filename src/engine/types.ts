// engine: the results an experiment produces, small and serialisable (they cross the worker boundary).
import type { ModelSummary, TensorInfo } from '../model/load';
import type { ErrorMetrics, Histograms } from '../quant/metrics';
import type { OutlierAnatomy } from '../quant/transforms/anatomy';
import type { ClipSearchInfo } from '../quant/transforms/clipSearch';
import type { LowRankInfo } from '../quant/transforms/lowRank';
import type { ReorderInfo } from '../quant/transforms/reorder';
import type { RetentionInfo } from '../quant/transforms/retention';
import type { RotationInfo } from '../quant/transforms/rotation';
import type { SplitQuantInfo } from '../quant/transforms/splitQuant';
import type { VqInfo } from '../quant/transforms/vq';
import type { RecipeTransform } from '../spec/transformSchema';

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

/** Error metrics with the storage cost: what the metrics panel shows. */
export type ResultMetrics = ErrorMetrics & {
  readonly bitsPerWeight: number;
  /** Bytes of packed codes plus scales and zero points (and whatever a transform stores). */
  readonly storageBytes: number;
};

/** The error of one sign seed of a Hadamard rotation, measured in the rotated basis (equal to the original basis up to f32 rounding: R is orthonormal). */
export interface SeedError {
  readonly seed: number;
  readonly mse: number;
  readonly sqnrDb: number;
}

/** What a Hadamard rotation did to the tensor (the Outliers view's before/after). */
export interface RotationOutcome {
  /** Seed of the random signs (null: the plain Hadamard matrix). */
  readonly seed: number | null;
  /** Anatomy of the rotated weights W' = W·Rᵀ (each row rotated). */
  readonly anatomy: OutlierAnatomy;
  /** Histograms of W' and Q(W') in the rotated basis, where the format's grid applies. */
  readonly histograms: Histograms;
  /** The levels of the widest group of Q(W'). */
  readonly levels: number[];
  /** Error over several sign seeds (the chosen one first), empty when skipped. */
  readonly seedSpread: readonly SeedError[];
  /** Why the seed spread was skipped (a large tensor), or null. */
  readonly seedSpreadNote: string | null;
}

/** Each method's own facts (src/quant/transforms), by method. */
export type TransformDetails =
  | { readonly method: 'hadamard'; readonly info: RotationInfo; readonly rotation: RotationOutcome }
  | { readonly method: 'retention'; readonly info: RetentionInfo }
  | { readonly method: 'reorder'; readonly info: ReorderInfo }
  | { readonly method: 'splitquant'; readonly info: SplitQuantInfo }
  | { readonly method: 'lowrank'; readonly info: LowRankInfo }
  | { readonly method: 'clip-search'; readonly info: ClipSearchInfo }
  | { readonly method: 'vq'; readonly info: VqInfo };

/** What the recipe's transform step did, next to the format alone. */
export type TransformOutcome = TransformDetails & {
  /** The step as the spec gave it (method and parameters). */
  readonly step: RecipeTransform;
  /** The registry's name of the method, e.g. "Hadamard rotation". */
  readonly label: string;
  /** The same format without the transform (vector quantization: the recipe's format, which VQ replaces). */
  readonly baseline: ResultMetrics;
  /** The base format's codes and scales as the method stores them, and what the method adds (bits per weight). */
  readonly baseBitsPerWeight: number;
  readonly extraBitsPerWeight: number;
  /** The steps that ran on the GPU, in words ("Hadamard rotation", "error statistics"); empty on the CPU reference. */
  readonly gpuSteps: readonly string[];
};

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
  readonly metrics: ResultMetrics;
  readonly histograms: Histograms;
  /** Quantization levels of one group (the widest), for the lines on the value histogram. */
  readonly levels: { readonly group: number; readonly values: number[]; readonly where: string };
  readonly subject: ResultSubject;
  /** Outlier anatomy of the input tensor (the Outliers view). */
  readonly outliers: OutlierAnatomy;
  /** Present when the recipe has a transform step: then metrics, histograms and bits per weight are the method's, against the original x. */
  readonly transform?: TransformOutcome;
  readonly elapsedMs: number;
}
