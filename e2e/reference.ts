// e2e: the CPU reference of the headline metrics for a spec, computed in the Playwright (Node) process from src/model + src/quant.
// Only pure modules are imported here: src/engine/experiment.ts and src/gpu/** use Vite-only import.meta.glob.
import { syntheticMatrix } from '../src/model/synthetic';
import { groupLayout } from '../src/quant/groups';
import { dequantizeInt, intBitsPerWeight, quantizeInt } from '../src/quant/int';
import { errorMetrics, errorSums } from '../src/quant/metrics';
import type { ExperimentSpec } from '../src/spec/schema';

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
  const { format, granularity } = spec.recipe;
  const x = syntheticMatrix(spec.source);
  const layout = groupLayout(rows, cols, granularity.kind, granularity.blockSize);
  const xhat = dequantizeInt(quantizeInt(x, layout, format));
  const m = errorMetrics(errorSums(x, xhat));
  const out: ReferenceMetrics = {
    mse: m.mse,
    sqnrDb: m.sqnrDb,
    maxAbsErr: m.maxAbsErr,
    bitsPerWeight: intBitsPerWeight(format, x.length, layout.groupCount),
    groupCount: layout.groupCount,
  };
  cache.set(key, out);
  return out;
}

/** A copy of `spec` with the recipe patched (format and granularity merged shallowly). */
export function withRecipe(
  spec: ExperimentSpec,
  patch: { format?: Partial<ExperimentSpec['recipe']['format']>; granularity?: Partial<ExperimentSpec['recipe']['granularity']> },
): ExperimentSpec {
  return {
    ...spec,
    recipe: {
      format: { ...spec.recipe.format, ...patch.format },
      granularity: { ...spec.recipe.granularity, ...patch.granularity },
    },
  };
}
