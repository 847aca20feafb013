// gpu: error sums, moments and histograms kernels (shaders/error_stats.wgsl) — twin of src/quant/metrics.ts.
import {
  ABS_ERROR_BINS, absErrorPercentile, ERROR_PERCENTILES, type ErrorSums, HISTOGRAM_BINS, type Histograms,
} from '../../quant/metrics';
import { encodePass, type GpuRuntime, storageUsage, uploadUniform } from '../runtime';

const WG = 256;
/** Workgroups for the grid-stride passes: enough to fill a GPU, few enough for one finalize group. */
const MAX_PARTIALS = 1024;
/** f32 slots per workgroup in the partials buffer (the first pass; the moments pass uses 2). */
const PARTIAL_STRIDE = 8;
/** f32 slots of the totals buffer (layout in the shader's header). */
const TOTALS = 14;

export interface ErrorStatsBuffers {
  /**
   * f32[14]: sumSqErr, sumSqSignal, maxAbsErr, valueMin, valueMax, kValue, kError, sumSqDequant,
   * sumSqDiff, sumSignal, mean, kAbsError, sumCentred2, sumCentred4.
   */
  readonly totals: GPUBuffer;
  /** u32[3 * HISTOGRAM_BINS + ABS_ERROR_BINS]: original | dequantized | error | |error| counts. */
  readonly hist: GPUBuffer;
  readonly scratch: GPUBuffer[];
}

/** Encodes partials → finalize → histogram → moments → finalize_moments over x and x̂ (n elements each). */
export function encodeErrorStats(rt: GpuRuntime, encoder: GPUCommandEncoder, x: GPUBuffer, xhat: GPUBuffer, n: number): ErrorStatsBuffers {
  const partialCount = Math.min(MAX_PARTIALS, Math.max(1, Math.ceil(n / WG)));
  const uniform = uploadUniform(rt, [n, partialCount], 'error_stats.params');
  const partials = rt.pool.acquire(partialCount * PARTIAL_STRIDE * 4, storageUsage(), 'error_stats.partials');
  const totals = rt.pool.acquire(TOTALS * 4, storageUsage(), 'error_stats.totals');
  const hist = rt.pool.acquire((3 * HISTOGRAM_BINS + ABS_ERROR_BINS) * 4, storageUsage(), 'error_stats.hist');
  encoder.clearBuffer(hist);
  const constants = { WG };
  const pipe = (entry: string) => rt.pipelines.get('error_stats', entry, constants);
  encodePass(rt, encoder, pipe('partials_pass'), { 0: uniform, 1: x, 2: xhat, 3: partials }, [partialCount]);
  encodePass(rt, encoder, pipe('finalize'), { 0: uniform, 3: partials, 4: totals }, [1]);
  encodePass(rt, encoder, pipe('histogram'), { 0: uniform, 1: x, 2: xhat, 4: totals, 5: hist }, [partialCount]);
  encodePass(rt, encoder, pipe('moments_pass'), { 0: uniform, 1: x, 3: partials, 4: totals }, [partialCount]);
  encodePass(rt, encoder, pipe('finalize_moments'), { 0: uniform, 3: partials, 4: totals }, [1]);
  return { totals, hist, scratch: [uniform, partials] };
}

/** The fine |error| counts (ABS_ERROR_BINS) in a read-back hist buffer. */
export function absErrorCountsOf(hist: Uint32Array): Uint32Array {
  return hist.subarray(3 * HISTOGRAM_BINS, 3 * HISTOGRAM_BINS + ABS_ERROR_BINS);
}

/** Turns the read-back totals and counts into the same shapes the CPU reference returns. */
export function decodeErrorStats(totals: Float32Array, hist: Uint32Array, n: number): { sums: ErrorSums; histograms: Histograms } {
  const [sumSqErr, sumSqSignal, maxAbsErr, valueMin, valueMax] = totals;
  const [sumSqDequant, sumSqDiff, sumSignal] = totals.subarray(7, 10);
  const [sumCentred2, sumCentred4] = totals.subarray(12, 14);
  const bins = HISTOGRAM_BINS;
  const counts = (k: number) => Array.from(hist.subarray(k * bins, (k + 1) * bins));
  const absCounts = absErrorCountsOf(hist);
  return {
    sums: {
      n, sumSqErr, sumSqSignal, sumSqDequant, sumSqDiff, sumSignal, sumCentred2, sumCentred4, maxAbsErr,
      absErrP99: absErrorPercentile(absCounts, maxAbsErr, ...ERROR_PERCENTILES.p99),
      absErrP999: absErrorPercentile(absCounts, maxAbsErr, ...ERROR_PERCENTILES.p999),
      valueMin, valueMax,
    },
    histograms: {
      bins, valueLo: valueMin, valueHi: valueMax, original: counts(0), dequantized: counts(1),
      errorLo: -maxAbsErr, errorHi: maxAbsErr, error: counts(2),
    },
  };
}
