// engine: the message protocol between the UI thread and the engine worker.
import type { ModelLoadErrorCode } from '../model/types';
import type { ExperimentSpec, ModelRef } from '../spec/schema';
import type { EvalResult, GenerateSettings, SensitivityResult } from './evaluate';
import type { DeviceInfo, TensorResult } from './types';

/** What an evaluation scores: the bundled held-out text or the user's own, and the window protocol. */
export interface EvalRequestSettings {
  readonly text: { readonly kind: 'bundled' } | { readonly kind: 'user'; readonly text: string };
  readonly maxTokens: number;
  readonly context: number;
  readonly stride: number;
  /** Blocks kept in full precision. */
  readonly keepLayers?: readonly number[];
}

/** Side-by-side generation's answer. */
export interface GenerationResult {
  readonly full: string;
  readonly quantized: string;
  readonly promptTokens: number;
}

/** UI → worker. `run` supersedes any earlier run; `cancel` stops the run with that id. */
export type EngineRequest =
  | { readonly kind: 'init'; readonly forceCpu?: boolean }
  | { readonly kind: 'run'; readonly id: number; readonly spec: ExperimentSpec }
  | { readonly kind: 'cancel'; readonly id: number }
  /** Hub host and token for later loads; the token stays in the worker's memory only. */
  | { readonly kind: 'hub-settings'; readonly host: string; readonly token: string | null }
  /** Perplexity and KL of the spec's model with and without its recipe; answered by `evaluation` (ids of their own, cancel with `cancel`). */
  | { readonly kind: 'evaluate'; readonly id: number; readonly spec: ExperimentSpec; readonly settings: EvalRequestSettings }
  /** Quantizes one block (or one projection type) at a time; answered by `sensitivity`. */
  | { readonly kind: 'sweep'; readonly id: number; readonly spec: ExperimentSpec; readonly settings: EvalRequestSettings; readonly by: SensitivityResult['by'] }
  /** The same prompt continued by both models; answered by `generation`. */
  | { readonly kind: 'generate'; readonly id: number; readonly spec: ExperimentSpec; readonly settings: GenerateSettings }
  /** Files the user dropped; answered by `local-attached` (the reference a spec uses) or an error with this id. */
  | { readonly kind: 'attach-local'; readonly id: number; readonly files: readonly File[] };

/** Stable error codes so the UI can say what to do. */
export type EngineErrorCode = 'invalid-spec' | 'gpu-lost' | 'gpu-error' | 'model' | 'internal';

/** worker → UI. */
export type EngineResponse =
  | { readonly kind: 'device'; readonly device: DeviceInfo }
  | { readonly kind: 'progress'; readonly id: number; readonly fraction: number; readonly stage: string }
  | { readonly kind: 'result'; readonly id: number; readonly result: TensorResult }
  | { readonly kind: 'evaluation'; readonly id: number; readonly result: EvalResult }
  | { readonly kind: 'generation'; readonly id: number; readonly result: GenerationResult }
  | { readonly kind: 'sensitivity'; readonly id: number; readonly result: SensitivityResult }
  | { readonly kind: 'cancelled'; readonly id: number }
  | {
    readonly kind: 'error'; readonly id: number | null; readonly code: EngineErrorCode; readonly message: string;
    /** For 'model' errors: why loading failed (ModelLoadError's code), so the UI can point at the fix. */
    readonly loadError?: ModelLoadErrorCode;
  }
  | { readonly kind: 'local-attached'; readonly id: number; readonly model: Extract<ModelRef, { kind: 'local' }> }
  | { readonly kind: 'attach-failed'; readonly id: number; readonly message: string }
  /** Something the user should know that is not an error (e.g. the download cache is full). */
  | { readonly kind: 'notice'; readonly message: string };
