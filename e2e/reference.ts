// e2e: the CPU reference of the headline metrics for a spec, computed in the Playwright (Node) process from src/model + src/quant.
// Only pure modules are imported here: src/engine/experiment.ts and src/gpu/** use Vite-only import.meta.glob.
import { expect, type Page } from '@playwright/test';
import { syntheticMatrix } from '../src/model/synthetic';
import { bitsPerWeightOf, layoutFor, quantizeWith } from '../src/quant/apply';
import { errorMetrics, type ErrorMetrics, errorSums } from '../src/quant/metrics';
import { formatChoice } from '../src/spec/formatChoice';
import type { ExperimentSpec, IntFormat, RegistryFormat, SyntheticSource, UserCodebookFormat } from '../src/spec/schema';

/** A spec on the synthetic tensor (the only source the reference regenerates in the test process). */
export type SyntheticSpec = ExperimentSpec & { readonly source: SyntheticSource };

/** The numbers the metrics panel shows in data-value (the error metrics of src/quant/metrics.ts and the storage cost), and what their tolerances need. */
export interface ReferenceMetrics extends ErrorMetrics {
  readonly bitsPerWeight: number;
  readonly groupCount: number;
  readonly n: number;
  /** γ² / Σe² with γ = ‖x‖ − ‖x̂‖: how much of the error is a change of norm (sets the 1 − cos tolerance). */
  readonly normGapShare: number;
}

const cache = new Map<string, ReferenceMetrics>();

/** Same pipeline as the engine's CPU backend (src/engine/cpuBackend.ts + experiment.ts), memoised per spec. */
export function referenceMetrics(spec: SyntheticSpec): ReferenceMetrics {
  const key = JSON.stringify([spec.source, spec.recipe]);
  const hit = cache.get(key);
  if (hit) return hit;
  const { rows, cols } = spec.source;
  const out = referenceMetricsOf(syntheticMatrix(spec.source), rows, cols, spec.recipe);
  cache.set(key, out);
  return out;
}

/** The reference metrics of quantizing the row-major matrix `x` [rows, cols] with `recipe` (a model's tensor). */
export function referenceMetricsOf(x: Float32Array, rows: number, cols: number, recipe: ExperimentSpec['recipe']): ReferenceMetrics {
  const { granularity } = recipe;
  const choice = formatChoice(recipe);
  const layout = layoutFor(choice, rows, cols, granularity.kind, granularity.blockSize);
  const { xhat } = quantizeWith(x, layout, choice);
  const sums = errorSums(x, xhat);
  const m = errorMetrics(sums);
  const gap = Math.sqrt(sums.sumSqSignal) - Math.sqrt(sums.sumSqDequant);
  return {
    ...m,
    bitsPerWeight: bitsPerWeightOf(choice, x.length, layout.groupCount),
    groupCount: layout.groupCount,
    n: x.length,
    normGapShare: sums.sumSqErr > 0 ? (gap * gap) / sums.sumSqErr : 0,
  };
}

/** A copy of `spec` with the recipe patched (format and granularity merged shallowly). */
export function withRecipe(
  spec: SyntheticSpec,
  patch: { format?: Partial<IntFormat> | RegistryFormat | UserCodebookFormat; granularity?: Partial<ExperimentSpec['recipe']['granularity']> },
): SyntheticSpec {
  return {
    ...spec,
    recipe: {
      format: patch.format?.kind === 'format' || patch.format?.kind === 'codebook' ? patch.format : { ...(spec.recipe.format as IntFormat), ...patch.format },
      granularity: { ...spec.recipe.granularity, ...patch.granularity },
    },
  };
}

/**
 * Asserts the page's metrics equal the reference. Tolerances:
 * - MSE: relative 1e-5. The codes are bit-exact between GPU and CPU, only the sum of squared
 *   errors differs (f32 reduction trees on the GPU, f64 here: ~1e-7 relative in practice).
 * - SQNR: |Δ| <= 10·log10(1 + 2e-5) dB (~8.7e-5 dB): both sums inside it (signal and error) within
 *   relative 1e-5. A tolerance on the power ratio, not on the dB number, so it does not loosen or
 *   tighten with the SQNR level (a per-tensor 1.5 dB and an 8-bit 40 dB get the same check).
 * - max |error| and bits per weight: relative 1e-12, i.e. exact: the max of identical f32 errors
 *   and a closed-form count do not depend on summation order.
 */
export function expectMatchesReference(
  actual: { mse: number; sqnrDb: number; maxAbsErr: number; bitsPerWeight: number },
  ref: ReferenceMetrics,
  where: string,
): void {
  const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
  expect(rel(actual.mse, ref.mse), `${where}: MSE ${actual.mse} vs reference ${ref.mse}`).toBeLessThanOrEqual(1e-5);
  expect(Math.abs(actual.sqnrDb - ref.sqnrDb), `${where}: SQNR ${actual.sqnrDb} dB vs reference ${ref.sqnrDb} dB`)
    .toBeLessThanOrEqual(10 * Math.log10(1 + 2e-5));
  expect(rel(actual.maxAbsErr, ref.maxAbsErr), `${where}: max |error| ${actual.maxAbsErr} vs reference ${ref.maxAbsErr}`)
    .toBeLessThanOrEqual(1e-12);
  expect(rel(actual.bitsPerWeight, ref.bitsPerWeight), `${where}: bits/weight ${actual.bitsPerWeight} vs reference ${ref.bitsPerWeight}`)
    .toBeLessThanOrEqual(1e-12);
}

const U = 2 ** -24; // f32 unit roundoff

/**
 * Longest chain of f32 additions in the GPU's reductions over n elements (shaders/error_stats.wgsl
 * via encodeErrorStats: 256 threads, at most 1024 partials; 24 for 1024 × 1024), the L of the
 * bounds derived in tests/gpu/error-stats.test.ts.
 */
function sumChain(n: number): number {
  const partials = Math.min(1024, Math.max(1, Math.ceil(n / 256)));
  return Math.ceil(n / (partials * 256)) + 8 + Math.ceil(partials / 256) + 8;
}

/** The metrics added with the full metric set, as data-values read off the page. */
export async function pageExtraMetrics(page: Page): Promise<Record<'rmse' | 'p99' | 'p999' | 'cosine' | 'relfro' | 'kurtosis', number>> {
  const names = ['rmse', 'p99', 'p999', 'cosine', 'relfro', 'kurtosis'] as const;
  const raw = await Promise.all(names.map((n) => page.getByTestId(`metric-${n}`).getAttribute('data-value')));
  raw.forEach((r, i) => expect(r, `metric-${names[i]} has a data-value`).not.toBeNull());
  return Object.fromEntries(names.map((n, i) => [n, Number(raw[i])])) as Record<(typeof names)[number], number>;
}

/**
 * Asserts the page's other metrics equal the reference, with the f32 bounds of
 * tests/gpu/error-stats.test.ts (L = sumChain(n), u = 2^-24; the CPU fallback meets them exactly):
 * - RMSE and relative Frobenius error: relative (L + 1)u (half of each sum's (L + 1)u, twice).
 * - p99 and p99.9 |error|: exact (relative 1e-12): the same fine-histogram counts through the same
 *   TS arithmetic (absErrorPercentile).
 * - cosine: |Δcos| = |Δ(1 − cos)| <= ((3L + 5) / (1 − γ²/Σe²) + L + 1)·u · (1 − cos), plus 2^-53
 *   for forming 1 − (1 − cos) in f64.
 * - kurtosis: relative (11L + 37)u (the centred sums plus the f32 mean's shift, zero-mean sources).
 */
export async function expectExtraMetricsMatchReference(page: Page, ref: ReferenceMetrics, where: string): Promise<void> {
  const got = await pageExtraMetrics(page);
  const L = sumChain(ref.n);
  const rel = (a: number, b: number) => (a === b ? 0 : Math.abs(a - b) / Math.abs(b));
  expect(rel(got.rmse, ref.rmse), `${where}: RMSE ${got.rmse} vs reference ${ref.rmse}`).toBeLessThanOrEqual((L + 1) * U);
  expect(rel(got.relfro, ref.relFrobenius), `${where}: rel. Frobenius ${got.relfro} vs reference ${ref.relFrobenius}`)
    .toBeLessThanOrEqual((L + 1) * U);
  expect(rel(got.p99, ref.p99AbsErr), `${where}: p99 |error| ${got.p99} vs reference ${ref.p99AbsErr}`).toBeLessThanOrEqual(1e-12);
  expect(rel(got.p999, ref.p999AbsErr), `${where}: p99.9 |error| ${got.p999} vs reference ${ref.p999AbsErr}`).toBeLessThanOrEqual(1e-12);
  const cosTol = ((3 * L + 5) / (1 - ref.normGapShare) + L + 1) * U * ref.oneMinusCosine + 2 ** -53;
  expect(Math.abs(got.cosine - ref.cosine), `${where}: cosine ${got.cosine} vs reference ${ref.cosine}`).toBeLessThanOrEqual(cosTol);
  expect(rel(got.kurtosis, ref.kurtosis), `${where}: kurtosis ${got.kurtosis} vs reference ${ref.kurtosis}`)
    .toBeLessThanOrEqual((11 * L + 37) * U);
}
