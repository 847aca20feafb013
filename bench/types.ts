// bench: the shapes of benchmark results (one record per figure, each with its adapter, timing method and correctness check).
import type { AdapterFingerprint } from './stats';

/** How a time was taken: GPU timestamps around the dispatches, or wall-clock from submit to onSubmittedWorkDone. */
export type TimingMethod = 'timestamp-query' | 'wall-clock';

/** A timed operation: medians over repeats, per operation (ms). */
export interface Timing {
  readonly method: TimingMethod;
  /** Median ms per operation by `method`. */
  readonly ms: number;
  /** Median wall-clock ms per operation (submit → onSubmittedWorkDone, divided by the operations in the submit). */
  readonly wallMs: number;
  /** Per-repeat ms per operation by `method`. */
  readonly samples: readonly number[];
  /** Operations (dispatch chains) encoded into each timed submit. */
  readonly opsPerSubmit: number;
  readonly repeats: number;
  readonly warmups: number;
}

/** A correctness check printed beside a figure: max |diff| of the output against a reference, and the bound it must stay within. */
export interface Check {
  /** What the output was compared with ("CPU reference, 64 sampled outputs", "reference kernel"). */
  readonly against: string;
  readonly maxAbsDiff: number;
  /** The largest |diff| allowed (0 for bit-exact kernels). */
  readonly tolerance: number;
  readonly ok: boolean;
}

/** Which part of the suite a record belongs to. */
export type Suite = 'copy' | 'matmul' | 'guard' | 'peer' | 'hadamard' | 'quant' | 'forward' | 'app' | 'scale';

/** One figure (or a few that belong together) of a run. */
export interface BenchRecord {
  readonly suite: Suite;
  /** What was measured, e.g. "matvec q4 768×3072 m=1". */
  readonly name: string;
  /** fingerprintId of the adapter it ran on (null when no GPU was involved: bundle size, file reading). */
  readonly adapter: string | null;
  readonly timing?: Timing;
  /** Named figures: bandwidths (bytes/s), ratios, counts; strings for flags and reasons. */
  readonly figures: Readonly<Record<string, number | string | boolean | null>>;
  readonly check?: Check;
  /** Why a figure is missing or what to keep in mind reading it. */
  readonly note?: string;
}

/** A whole `npm run bench` run as written to bench-results/bench-<mode>.json. */
export interface BenchRun {
  readonly mode: 'quick' | 'full';
  readonly startedAt: string;
  readonly durationS: number;
  readonly machine: { readonly cpus: number; readonly cpuModel: string; readonly memoryGiB: number; readonly node: string; readonly platform: string };
  readonly adapters: Readonly<Record<string, AdapterFingerprint>>;
  readonly records: readonly BenchRecord[];
  /** Parts that could not run, with the reason (missing fixture, an adapter without WebGPU, a peer that failed). */
  readonly problems: readonly string[];
}

/** The results a GPU environment (Node with Dawn, or Chromium) hands back to the run. */
export interface EnvResults {
  readonly adapters: Readonly<Record<string, AdapterFingerprint>>;
  readonly records: readonly BenchRecord[];
  readonly problems: readonly string[];
}
