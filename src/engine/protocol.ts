// engine: the message protocol between the UI thread and the engine worker.
import type { ExperimentSpec } from '../spec/schema';
import type { DeviceInfo, TensorResult } from './types';

/** UI → worker. `run` supersedes any earlier run; `cancel` stops the run with that id. */
export type EngineRequest =
  | { readonly kind: 'init'; readonly forceCpu?: boolean }
  | { readonly kind: 'run'; readonly id: number; readonly spec: ExperimentSpec }
  | { readonly kind: 'cancel'; readonly id: number };

/** Stable error codes so the UI can say what to do. */
export type EngineErrorCode = 'invalid-spec' | 'gpu-lost' | 'gpu-error' | 'internal';

/** worker → UI. */
export type EngineResponse =
  | { readonly kind: 'device'; readonly device: DeviceInfo }
  | { readonly kind: 'progress'; readonly id: number; readonly fraction: number; readonly stage: string }
  | { readonly kind: 'result'; readonly id: number; readonly result: TensorResult }
  | { readonly kind: 'cancelled'; readonly id: number }
  | { readonly kind: 'error'; readonly id: number | null; readonly code: EngineErrorCode; readonly message: string };
