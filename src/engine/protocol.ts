// engine: the message protocol between the UI thread and the engine worker.
import type { ModelLoadErrorCode } from '../model/types';
import type { ExperimentSpec, ModelRef } from '../spec/schema';
import type { DeviceInfo, TensorResult } from './types';

/** UI → worker. `run` supersedes any earlier run; `cancel` stops the run with that id. */
export type EngineRequest =
  | { readonly kind: 'init'; readonly forceCpu?: boolean }
  | { readonly kind: 'run'; readonly id: number; readonly spec: ExperimentSpec }
  | { readonly kind: 'cancel'; readonly id: number }
  /** Hub host and token for later loads; the token stays in the worker's memory only. */
  | { readonly kind: 'hub-settings'; readonly host: string; readonly token: string | null }
  /** Files the user dropped; answered by `local-attached` (the reference a spec uses) or an error with this id. */
  | { readonly kind: 'attach-local'; readonly id: number; readonly files: readonly File[] };

/** Stable error codes so the UI can say what to do. */
export type EngineErrorCode = 'invalid-spec' | 'gpu-lost' | 'gpu-error' | 'model' | 'internal';

/** worker → UI. */
export type EngineResponse =
  | { readonly kind: 'device'; readonly device: DeviceInfo }
  | { readonly kind: 'progress'; readonly id: number; readonly fraction: number; readonly stage: string }
  | { readonly kind: 'result'; readonly id: number; readonly result: TensorResult }
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
