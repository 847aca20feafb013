// gpu: error sums and histograms kernels (shaders/error_stats.wgsl) — twin of src/quant/metrics.ts.
import { type ErrorSums, HISTOGRAM_BINS, type Histograms } from '../../quant/metrics';
import { encodePass, type GpuRuntime, storageUsage, uploadUniform } from '../runtime';

const WG = 256;
/** Workgroups for the grid-stride passes: enough to fill a GPU, few enough for one finalize group. */
const MAX_PARTIALS = 1024;

export interface ErrorStatsBuffers {
  /** f32[7]: sumSqErr, sumSqSignal, maxAbsErr, valueMin, valueMax, kValue, kError. */
  readonly totals: GPUBuffer;
  /** u32[3 * bins]: original | dequantized | error counts. */
  readonly hist: GPUBuffer;
  readonly scratch: GPUBuffer[];
}

/** Encodes partials → finalize → histogram over x and x̂ (n elements each). */
export function encodeErrorStats(rt: GpuRuntime, encoder: GPUCommandEncoder, x: GPUBuffer, xhat: GPUBuffer, n: number): ErrorStatsBuffers {
  const partialCount = Math.min(MAX_PARTIALS, Math.max(1, Math.ceil(n / WG)));
  const uniform = uploadUniform(rt, [n, partialCount], 'error_stats.params');
  const partials = rt.pool.acquire(partialCount * 5 * 4, storageUsage(), 'error_stats.partials');
  const totals = rt.pool.acquire(7 * 4, storageUsage(), 'error_stats.totals');
  const hist = rt.pool.acquire(3 * HISTOGRAM_BINS * 4, storageUsage(), 'error_stats.hist');
  encoder.clearBuffer(hist);
  const constants = { WG };
  const pipe = (entry: string) => rt.pipelines.get('error_stats', entry, constants);
  encodePass(rt, encoder, pipe('partials_pass'), { 0: uniform, 1: x, 2: xhat, 3: partials }, [partialCount]);
  encodePass(rt, encoder, pipe('finalize'), { 0: uniform, 3: partials, 4: totals }, [1]);
  encodePass(rt, encoder, pipe('histogram'), { 0: uniform, 1: x, 2: xhat, 4: totals, 5: hist }, [partialCount]);
  return { totals, hist, scratch: [uniform, partials] };
}

/** Turns the read-back totals and counts into the same shapes the CPU reference returns. */
export function decodeErrorStats(totals: Float32Array, hist: Uint32Array, n: number): { sums: ErrorSums; histograms: Histograms } {
  const [sumSqErr, sumSqSignal, maxAbsErr, valueMin, valueMax] = totals;
  const bins = HISTOGRAM_BINS;
  const counts = (k: number) => Array.from(hist.subarray(k * bins, (k + 1) * bins));
  return {
    sums: { n, sumSqErr, sumSqSignal, maxAbsErr, valueMin, valueMax },
    histograms: {
      bins, valueLo: valueMin, valueHi: valueMax, original: counts(0), dequantized: counts(1),
      errorLo: -maxAbsErr, errorHi: maxAbsErr, error: counts(2),
    },
  };
}
