// e2e: the CPU reference of the headline metrics for a spec, computed in the Playwright (Node) process from src/model + src/quant.
// Only pure modules are imported here: src/engine/experiment.ts and src/gpu/** use Vite-only import.meta.glob.
import { expect } from '@playwright/test';
import { syntheticMatrix } from '../src/model/synthetic';
import { bitsPerWeightOf, layoutFor, quantizeWith } from '../src/quant/apply';
import { errorMetrics, errorSums } from '../src/quant/metrics';
import { formatChoice } from '../src/spec/formatChoice';
import type { ExperimentSpec, IntFormat, RegistryFormat, UserCodebookFormat } from '../src/spec/schema';

/** The four numbers the metrics panel shows in data-value (MSE, SQNR in dB, max |error|, bits per weight). */
export interface ReferenceMetrics {
  readonly mse: number;
  readonly sqnrDb: number;
  readonly maxAbsErr: number;
  readonly bitsPerWeight: number;
  readonly groupCount: number;
}

const cache = new Map<string, ReferenceMetrics>();

/** Same pipeline as the engine's CPU backend (src/engine/cpuBackend.ts + experiment.ts), memoised per spec. */
export function referenceMetrics(spec: ExperimentSpec): ReferenceMetrics {
  const key = JSON.stringify([spec.source, spec.recipe]);
  const hit = cache.get(key);
  if (hit) return hit;
  const { rows, cols } = spec.source;
  const { granularity } = spec.recipe;
  const choice = formatChoice(spec.recipe);
  const x = syntheticMatrix(spec.source);
  const layout = layoutFor(choice, rows, cols, granularity.kind, granularity.blockSize);
  const { xhat } = quantizeWith(x, layout, choice);
  const m = errorMetrics(errorSums(x, xhat));
  const out: ReferenceMetrics = {
    mse: m.mse,
    sqnrDb: m.sqnrDb,
    maxAbsErr: m.maxAbsErr,
    bitsPerWeight: bitsPerWeightOf(choice, x.length, layout.groupCount),
    groupCount: layout.groupCount,
  };
  cache.set(key, out);
  return out;
}

/** A copy of `spec` with the recipe patched (format and granularity merged shallowly). */
export function withRecipe(
  spec: ExperimentSpec,
  patch: { format?: Partial<IntFormat> | RegistryFormat | UserCodebookFormat; granularity?: Partial<ExperimentSpec['recipe']['granularity']> },
): ExperimentSpec {
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
