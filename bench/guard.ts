// bench: the emulator guard's rule (pure): when a kernel's win on a software adapter is suspect.

/** How much faster than the fixed reference kernel a kernel must be to count as winning (below: on par or slower). */
export const GUARD_WIN = 1.25;

/**
 * Threads a mid-size GPU needs in flight to hide memory latency at all: 16 warps of 32 on each of
 * 32 SMs (a quarter of their resident capacity). A kernel may launch fewer threads than the
 * reference only down to half of min(reference, this).
 */
export const GPU_FILL_THREADS = 16384;

/** What a kernel launches for one call. */
export interface Launch {
  /** Threads in all its dispatches. */
  readonly threads: number;
  /** Threads per workgroup of its largest dispatch. */
  readonly workgroupSize: number;
}

/** The guard's finding for one kernel on one adapter. */
export interface GuardVerdict {
  readonly flagged: boolean;
  /** "wins (GPU-shaped launch)", "on par", "slower than the reference", or why it is flagged. */
  readonly verdict: string;
}

/**
 * A software adapter runs workgroups on a few CPU threads, so it rewards few fat threads and
 * punishes what GPUs need (many threads, workgroups in multiples of a warp). A kernel that beats
 * the fixed GPU-shaped reference (speedup = t_reference / t_kernel >= GUARD_WIN) while launching
 * a CPU-shaped grid — fewer than half of min(reference threads, GPU_FILL_THREADS) threads, or
 * workgroups smaller than 64 or not a multiple of 32 — wins only where the emulator is lenient:
 * flagged, to be confirmed on a real GPU before it is kept.
 */
export function guardVerdict(speedup: number | null, kernel: Launch, reference: Launch): GuardVerdict {
  if (speedup === null) return { flagged: false, verdict: 'not measured' };
  if (speedup < 1 / GUARD_WIN) return { flagged: false, verdict: 'slower than the reference' };
  if (speedup < GUARD_WIN) return { flagged: false, verdict: 'on par with the reference' };
  const floor = Math.min(reference.threads, GPU_FILL_THREADS) / 2;
  const problems = [
    kernel.threads < floor ? `${kernel.threads} threads < ${floor}` : '',
    kernel.workgroupSize < 64 || kernel.workgroupSize % 32 !== 0 ? `workgroups of ${kernel.workgroupSize}` : '',
  ].filter(Boolean);
  return problems.length
    ? { flagged: true, verdict: `FLAGGED: wins with a CPU-shaped launch (${problems.join(', ')})` }
    : { flagged: false, verdict: 'wins (GPU-shaped launch)' };
}

/**
 * The second rule: nothing moves bytes faster than a copy on a GPU. A kernel whose effective
 * bandwidth exceeds the copy kernel's by more than `slack` (timing noise) is flagged.
 */
export function beatsCopy(fractionOfCopy: number | null, slack = 1.1): boolean {
  return fractionOfCopy !== null && fractionOfCopy > slack;
}
