// state: the evaluation slice: perplexity/KL and side-by-side generation jobs (their own ids, progress and results), marked stale when the spec changes.
import type { StateCreator } from 'zustand/vanilla';
import type { EvalResult, SensitivityResult } from '../engine/evaluate';
import type { GenerationResult } from '../engine/protocol';

export type JobStatus = 'idle' | 'running' | 'done' | 'error' | 'cancelled';

/** One job kind's state; `specKey` is the source + recipe the result was computed for. */
export interface JobState<R> {
  readonly status: JobStatus;
  readonly id: number | null;
  readonly progress: { readonly fraction: number; readonly stage: string } | null;
  readonly result: R | null;
  readonly error: string | null;
  readonly specKey: string | null;
}

export type JobKind = 'evaluation' | 'generation' | 'sensitivity';

/** The generation panel's settings. */
export interface GenerateForm {
  readonly prompt: string;
  readonly steps: number;
  readonly temperature: number;
  readonly seed: number;
}

export interface EvalSlice {
  readonly evaluation: JobState<EvalResult>;
  readonly generation: JobState<GenerationResult>;
  readonly sensitivity: JobState<SensitivityResult>;
  readonly generateForm: GenerateForm;
  setGenerateForm(patch: Partial<GenerateForm>): void;
  jobStarted(kind: JobKind, id: number, specKey: string): void;
  jobProgress(kind: JobKind, id: number, fraction: number, stage: string): void;
  jobSucceeded(kind: 'evaluation', id: number, result: EvalResult): void;
  jobSucceeded(kind: 'generation', id: number, result: GenerationResult): void;
  jobSucceeded(kind: 'sensitivity', id: number, result: SensitivityResult): void;
  jobFailed(kind: JobKind, id: number, message: string): void;
  jobCancelled(kind: JobKind, id: number): void;
}

const IDLE = { status: 'idle', id: null, progress: null, result: null, error: null, specKey: null } as const;

export const createEvalSlice: StateCreator<EvalSlice> = (set) => {
  /** Applies `patch` to the job of `kind` only while `id` is its running job (older answers are stale). */
  const ifCurrent = (kind: JobKind, id: number, patch: object) => set((s) => {
    const job = s[kind];
    return job.id === id && job.status === 'running' ? { [kind]: { ...job, ...patch } } : {};
  });
  return {
    evaluation: IDLE,
    generation: IDLE,
    sensitivity: IDLE,
    generateForm: { prompt: 'The Congress of the United States', steps: 40, temperature: 0, seed: 1 },
    setGenerateForm: (patch) => set((s) => ({ generateForm: { ...s.generateForm, ...patch } })),
    jobStarted: (kind, id, specKey) => set((s) => ({ [kind]: { ...s[kind], status: 'running', id, progress: null, error: null, specKey } })),
    jobProgress: (kind, id, fraction, stage) => ifCurrent(kind, id, { progress: { fraction: Math.min(1, Math.max(0, fraction)), stage } }),
    jobSucceeded: (kind: JobKind, id: number, result: EvalResult | GenerationResult | SensitivityResult) => ifCurrent(kind, id, { status: 'done', result, progress: null }),
    jobFailed: (kind, id, message) => ifCurrent(kind, id, { status: 'error', error: message, progress: null }),
    jobCancelled: (kind, id) => ifCurrent(kind, id, { status: 'cancelled', progress: null }),
  };
};

/** The key a job result is computed for: results for another source or recipe are shown as stale. */
export function jobSpecKey(spec: { readonly source: unknown; readonly recipe: unknown }): string {
  return JSON.stringify([spec.source, spec.recipe]);
}
