// state: the run slice, status, progress and the last result of the engine; stale ids are ignored.
import type { StateCreator } from 'zustand/vanilla';
import type { TensorResult } from '../engine/types';

export type RunStatus = 'idle' | 'running' | 'done' | 'error' | 'cancelled';

export interface RunState {
  readonly status: RunStatus;
  /** Id of the newest run sent to the engine; responses for other ids are stale. */
  readonly id: number | null;
  /** fraction in [0, 1] and a stage name, e.g. "quantizing on the GPU". */
  readonly progress: { readonly fraction: number; readonly stage: string } | null;
  /** The run has taken longer than a blink (~300 ms): show the progress bar. */
  readonly slow: boolean;
  /** Last successful result; kept (dimmed by the UI) while a newer run computes or after an error. */
  readonly result: TensorResult | null;
  /** A readable message saying what happened and what to do, when status is 'error'. */
  readonly error: string | null;
}

export interface RunSlice {
  readonly run: RunState;
  runStarted(id: number): void;
  runProgress(id: number, fraction: number, stage: string): void;
  runSlow(id: number): void;
  runSucceeded(id: number, result: TensorResult): void;
  /** `id` null: the engine itself failed (not one run), which always applies. */
  runFailed(id: number | null, message: string): void;
  runCancelled(id: number): void;
}

export const INITIAL_RUN: RunState = { status: 'idle', id: null, progress: null, slow: false, result: null, error: null };

export const createRunSlice: StateCreator<RunSlice> = (set) => {
  /** Applies `patch` only while `id` is the current running run. */
  const ifCurrent = (id: number, patch: (run: RunState) => Partial<RunState>) =>
    set(({ run }) => (run.id === id && run.status === 'running' ? { run: { ...run, ...patch(run) } } : {}));
  return {
    run: INITIAL_RUN,
    runStarted: (id) => set(({ run }) => ({ run: { ...run, status: 'running', id, progress: null, slow: false, error: null } })),
    runProgress: (id, fraction, stage) => ifCurrent(id, () => ({ progress: { fraction: Math.min(1, Math.max(0, fraction)), stage } })),
    runSlow: (id) => ifCurrent(id, () => ({ slow: true })),
    runSucceeded: (id, result) => ifCurrent(id, () => ({ status: 'done', result, progress: null, slow: false })),
    runFailed: (id, message) => set(({ run }) => (id === null || run.id === id
      ? { run: { ...run, status: 'error', error: message, progress: null, slow: false } }
      : {})),
    runCancelled: (id) => ifCurrent(id, () => ({ status: 'cancelled', progress: null, slow: false })),
  };
};
