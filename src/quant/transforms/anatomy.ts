// quant: outlier anatomy of a weight tensor: per-channel absmax and kurtosis on both axes, the largest weights, LLM.int8()-style outlier columns.
import { retentionBits, selectIndices } from './retention';
import { checkShape } from './base';

export interface AnatomyOptions {
  /** Largest |weights| to list ("super weights"); default 16. */
  readonly topK?: number;
  /** Longest per-channel array returned; longer ones are max-pooled to this many points. Default 2048. */
  readonly maxPoints?: number;
  /**
   * The LLM.int8()-style outlier-column rule: a column is an outlier when its largest |w| is at least
   * `threshold` (absolute), or else `multiple` × the median column absmax (default 6, echoing the
   * paper's magnitude-6 threshold on activations whose typical size is ~1).
   */
  readonly int8?: { readonly threshold?: number; readonly multiple?: number };
}

/** One value per channel (row or column), with its largest entries. */
export interface ChannelProfile {
  /** Channels on this axis. */
  readonly count: number;
  /** Per-channel values, or maxima over bins of `binSize` consecutive channels when count > maxPoints (NaN: no finite value). */
  readonly values: number[];
  readonly binSize: number;
  /** The 8 largest channels (index, value), descending. */
  readonly top: { readonly index: number; readonly value: number }[];
  /** Median and maximum over the channels (finite values only). */
  readonly median: number;
  readonly max: number;
}

export interface SuperWeight {
  readonly row: number;
  readonly col: number;
  readonly value: number;
}

/** A small, serialisable summary of where a tensor's outliers are. */
export interface OutlierAnatomy {
  readonly rows: number;
  readonly cols: number;
  readonly absmax: number;
  readonly std: number;
  /** Pearson kurtosis n Σ(x−μ)⁴ / (Σ(x−μ)²)² (3 for a Gaussian), as in src/quant/metrics.ts; NaN for a constant tensor. */
  readonly kurtosis: number;
  /** One entry per row (output channel) and per column (input channel). */
  readonly rowAbsmax: ChannelProfile;
  readonly colAbsmax: ChannelProfile;
  /** Pearson kurtosis of each row / column (NaN for a constant channel, left out of median and top). */
  readonly rowKurtosis: ChannelProfile;
  readonly colKurtosis: ChannelProfile;
  /** The largest |w| with coordinates, descending by |w| (ties: lower index first). */
  readonly superWeights: SuperWeight[];
  readonly int8: {
    readonly threshold: number;
    readonly rule: 'absolute' | 'median-multiple';
    /** Columns at or above the threshold, their fraction of all columns, and the first up to 64 of them. */
    readonly columns: number;
    readonly fraction: number;
    readonly indices: number[];
    /** Bits per weight it would cost to keep them in fp16 with their indices (see retention.ts). */
    readonly keepBitsPerWeight: number;
  };
}

const TOP_CHANNELS = 8;
const INFO_INDICES = 64;

/** Pearson kurtosis of values given by `at(k)`, k < n, in f64 (two passes); NaN when constant or empty. */
export function pearsonKurtosis(n: number, at: (k: number) => number): number {
  let mean = 0;
  for (let k = 0; k < n; k++) mean += at(k);
  mean /= n;
  let m2 = 0, m4 = 0;
  for (let k = 0; k < n; k++) {
    const d2 = (at(k) - mean) ** 2;
    m2 += d2;
    m4 += d2 * d2;
  }
  return m2 > 0 ? (n * m4) / (m2 * m2) : NaN;
}

function median(values: number[]): number {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const h = v.length >> 1;
  return v.length % 2 ? v[h] : (v[h - 1] + v[h]) / 2;
}

/** A {@link ChannelProfile} of per-channel values, max-pooled to at most maxPoints. */
export function channelProfile(values: ArrayLike<number>, maxPoints: number): ChannelProfile {
  const all = Array.from(values);
  const binSize = Math.max(1, Math.ceil(all.length / maxPoints));
  const pooled: number[] = [];
  for (let s = 0; s < all.length; s += binSize) {
    let m = NaN;
    for (let k = s; k < Math.min(all.length, s + binSize); k++) {
      if (Number.isFinite(all[k]) && (Number.isNaN(m) || all[k] > m)) m = all[k];
    }
    pooled.push(m);
  }
  const finite = all.map((v) => (Number.isFinite(v) ? v : -Infinity));
  const top = selectIndices(finite, { kind: 'top', count: Math.min(TOP_CHANNELS, all.length) })
    .filter((i) => Number.isFinite(all[i]))
    .sort((a, b) => all[b] - all[a] || a - b)
    .map((index) => ({ index, value: all[index] }));
  return { count: all.length, values: pooled, binSize, top, median: median(all), max: top.length ? top[0].value : NaN };
}

/** The k largest |w| of the row-major f32[rows · cols] w, with coordinates. */
export function superWeights(w: Float32Array, cols: number, k: number): SuperWeight[] {
  const best: number[] = []; // indices, kept sorted by |w| descending (then index ascending)
  const before = (i: number, j: number) => Math.abs(w[i]) > Math.abs(w[j]) || (Math.abs(w[i]) === Math.abs(w[j]) && i < j);
  for (let i = 0; i < w.length && k > 0; i++) {
    if (best.length === k && !before(i, best[k - 1])) continue;
    let at = best.length;
    while (at > 0 && before(i, best[at - 1])) at--;
    best.splice(at, 0, i);
    if (best.length > k) best.pop();
  }
  return best.map((i) => ({ row: Math.floor(i / cols), col: i % cols, value: w[i] }));
}

/** Outlier anatomy of the row-major f32[rows · cols] tensor `w` (rows = output channels, cols = input channels). */
export function outlierAnatomy(w: Float32Array, rows: number, cols: number, options: AnatomyOptions = {}): OutlierAnatomy {
  checkShape(w, rows, cols, 'Outlier anatomy');
  const maxPoints = options.maxPoints ?? 2048;
  const rowMax = new Float64Array(rows), colMax = new Float64Array(cols);
  let absmax = 0;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const a = Math.abs(w[i * cols + j]);
      rowMax[i] = Math.max(rowMax[i], a);
      colMax[j] = Math.max(colMax[j], a);
      absmax = Math.max(absmax, a);
    }
  }
  const rowKurt = Float64Array.from({ length: rows }, (_, i) => pearsonKurtosis(cols, (k) => w[i * cols + k]));
  const colKurt = Float64Array.from({ length: cols }, (_, j) => pearsonKurtosis(rows, (k) => w[k * cols + j]));
  let sum = 0, sumSq = 0;
  for (const x of w) { sum += x; sumSq += x * x; }
  const mean = sum / w.length;
  const colProfile = channelProfile(colMax, maxPoints);
  const multiple = options.int8?.multiple ?? 6;
  const absolute = options.int8?.threshold;
  const threshold = absolute ?? multiple * colProfile.median;
  const outliers = selectIndices(colMax, { kind: 'threshold', value: threshold }).filter((j) => colMax[j] > 0);
  return {
    rows, cols, absmax,
    std: Math.sqrt(Math.max(0, sumSq / w.length - mean * mean)),
    kurtosis: pearsonKurtosis(w.length, (k) => w[k]),
    rowAbsmax: channelProfile(rowMax, maxPoints),
    colAbsmax: colProfile,
    rowKurtosis: channelProfile(rowKurt, maxPoints),
    colKurtosis: channelProfile(colKurt, maxPoints),
    superWeights: superWeights(w, cols, options.topK ?? 16),
    int8: {
      threshold,
      rule: absolute === undefined ? 'median-multiple' : 'absolute',
      columns: outliers.length,
      fraction: outliers.length / cols,
      indices: outliers.slice(0, INFO_INDICES),
      keepBitsPerWeight: retentionBits(outliers.length, rows, cols).bits / w.length,
    },
  };
}
