// gpu: error sums, moments and histograms kernels (shaders/error_stats.wgsl) — twin of src/quant/metrics.ts.
import {
  ABS_ERROR_BINS, absErrorPercentile, ERROR_PERCENTILES, type ErrorSums, HISTOGRAM_BINS, type Histograms,
} from '../../quant/metrics';
import { encodePass, type GpuRuntime, storageUsage, uploadUniform } from '../runtime';

const WG = 256;
/** Workgroups for the grid-stride passes at most: enough to fill a large GPU, few enough for one finalize group. */
const MAX_PARTIALS = 1024;
/**
 * Terms each thread of a grid-stride pass folds in before the workgroup's tree: O(log n) per thread
 * is the work-efficient split (Brent's theorem, as in Harris, "Optimizing Parallel Reduction in
 * CUDA", NVIDIA 2007); 16 is about log2 of the 64K to 1M-element tensors the app measures.
 */
const TERMS_PER_THREAD = 16;
/** f32 slots per workgroup in the partials buffer (range_pass writes 4, histogram 6). */
const PARTIAL_STRIDE = 8;
/** Where the per-workgroup partials start in the stats buffer, after the 14 totals (layout in the shader's header). */
const PARTIALS = 16;

export interface ErrorStatsBuffers {
  /**
   * f32, the totals in its first 14 slots: sumSqErr, sumSqSignal, maxAbsErr, valueMin, valueMax, kValue,
   * kError, sumSqDequant, sumSqDiff, sumSignal, mean, kAbsError, sumCentred2, sumCentred4 (the
   * workgroups' partials follow: one buffer keeps every pass within 4 storage buffers).
   */
  readonly totals: GPUBuffer;
  /** u32[3 * HISTOGRAM_BINS + ABS_ERROR_BINS]: original | dequantized | error | |error| counts. */
  readonly hist: GPUBuffer;
  readonly scratch: GPUBuffer[];
}

/** Workgroups of the grid-stride passes over n elements (each writes one partial). */
export function errorStatsWorkgroups(n: number): number {
  return Math.min(MAX_PARTIALS, Math.max(1, Math.ceil(n / (WG * TERMS_PER_THREAD))));
}

/** Encodes range_pass → finalize_range → histogram (with the sums and centred moments) → finalize_sums over x and x̂ (n elements each): two reads of each. */
export function encodeErrorStats(rt: GpuRuntime, encoder: GPUCommandEncoder, x: GPUBuffer, xhat: GPUBuffer, n: number): ErrorStatsBuffers {
  const partialCount = errorStatsWorkgroups(n);
  const uniform = uploadUniform(rt, [n, partialCount], 'error_stats.params');
  const totals = rt.pool.acquire((PARTIALS + partialCount * PARTIAL_STRIDE) * 4, storageUsage(), 'error_stats.totals');
  const hist = rt.pool.acquire((3 * HISTOGRAM_BINS + ABS_ERROR_BINS) * 4, storageUsage(), 'error_stats.hist');
  encoder.clearBuffer(hist);
  const constants = { WG };
  const pipe = (entry: string) => rt.pipelines.get('error_stats', entry, constants);
  encodePass(rt, encoder, pipe('range_pass'), { 0: uniform, 1: x, 2: xhat, 3: totals }, [partialCount]);
  encodePass(rt, encoder, pipe('finalize_range'), { 0: uniform, 3: totals }, [1]);
  encodePass(rt, encoder, pipe('histogram'), { 0: uniform, 1: x, 2: xhat, 3: totals, 4: hist }, [partialCount]);
  encodePass(rt, encoder, pipe('finalize_sums'), { 0: uniform, 3: totals }, [1]);
  return { totals, hist, scratch: [uniform] };
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
