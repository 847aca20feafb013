// quant: outlier retention: keep salient columns, rows or single weights in fp16 and quantize the rest (CPU reference).
//
// The dense-and-sparse split: the kept weights are stored in fp16 with their positions, the others
// quantized with the base format, with the kept positions set to 0 first so they no longer stretch
// their groups' scales. Column retention is the weight-side form of LLM.int8()'s mixed-precision
// decomposition (Dettmers et al. 2022, arXiv 2208.07339: outlier feature dimensions kept in 16-bit)
// and of PTQ1.61's structured salient-channel mask (Zhao et al. 2025, arXiv 2502.13179, a 1-D mask
// over input channels); element retention is PB-LLM's unstructured salient weights (Shang et al.
// 2023, arXiv 2310.00034) and SqueezeLLM's dense-and-sparse decomposition (Kim et al. 2023,
// arXiv 2306.07629). Salience here is the weight magnitude (the papers may also weigh by activations
// or the Hessian, which a lone weight tensor does not have). The zeroed positions still hold a code in
// the quantized tensor, so the base format is counted on the full shape.
// Cost: 16 bits per kept value plus the cheaper of indices (ceil(log2 n) each) or a bitmask (1 bit per
// column/row/element).
import { type BaseQuantizer, checkShape, FP16_BITS, indexBits, toFp16, transformResult, type TransformResult } from './base';

/** Which weights are kept: the `count` largest, or every one at or above `threshold`. */
export type RetentionSelect =
  | { readonly kind: 'top'; readonly count: number }
  | { readonly kind: 'threshold'; readonly value: number };

export interface RetentionParams {
  /** 'column': whole input channels; 'row': whole output channels; 'element': single weights. */
  readonly axis: 'column' | 'row' | 'element';
  readonly select: RetentionSelect;
  /**
   * Channel salience (column/row axis): L2 norm (default: finds channels that are large throughout,
   * LLM.int8()'s systematic outlier features) or largest |w| (also picks channels holding one spike,
   * which element retention handles more cheaply). Thresholds compare with it.
   */
  readonly score?: 'absmax' | 'norm';
}

export interface RetentionInfo {
  /** Channels (column/row axis) or weights (element axis) kept in fp16. */
  readonly kept: number;
  /** Up to the first 64 kept channel or element indices, ascending. */
  readonly indices: number[];
  /** How the positions are stored: whichever is cheaper. */
  readonly positions: 'indices' | 'bitmask';
}

const INFO_INDICES = 64;

/** Bits of kept values plus their positions: kept units of `unitSize` fp16 values among `units`. */
export function retentionBits(kept: number, unitSize: number, units: number): { bits: number; positions: 'indices' | 'bitmask' } {
  const asIndices = kept * indexBits(units);
  const positions = asIndices <= units ? 'indices' : 'bitmask';
  return { bits: kept * unitSize * FP16_BITS + Math.min(asIndices, units), positions };
}

/** Salience of each channel along `axis` ('column': one score per column). */
export function channelScores(w: Float32Array, rows: number, cols: number, axis: 'column' | 'row', score: 'absmax' | 'norm'): Float64Array {
  const out = new Float64Array(axis === 'column' ? cols : rows);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const a = Math.abs(w[i * cols + j]), c = axis === 'column' ? j : i;
      out[c] = score === 'absmax' ? Math.max(out[c], a) : out[c] + a * a;
    }
  }
  return score === 'norm' ? out.map(Math.sqrt) : out;
}

/** Indices (ascending) of the selected entries of `scores`: top count (ties to the lower index) or >= threshold. */
export function selectIndices(scores: ArrayLike<number>, select: RetentionSelect): number[] {
  const n = scores.length;
  const out: number[] = [];
  if (select.kind === 'threshold') {
    for (let i = 0; i < n; i++) if (scores[i] >= select.value) out.push(i);
    return out;
  }
  if (select.count === 0) return out;
  // The count-th largest score t (a native typed-array sort: fast on millions of weights); every
  // score above t is taken, then scores equal to t in index order until count is reached.
  const t = Float64Array.from(scores).sort()[n - select.count];
  let ties = select.count;
  for (let i = 0; i < n; i++) if (scores[i] > t) ties--;
  for (let i = 0; i < n; i++) {
    if (scores[i] > t) out.push(i);
    else if (scores[i] === t && ties > 0) { out.push(i); ties--; }
  }
  return out;
}

/**
 * Keeps the selected weights of the row-major f32[rows · cols] tensor `w` in fp16 and quantizes the
 * rest with `quantize`. baseBits: the base format on the full shape; extraBits: {@link retentionBits}.
 */
export function applyRetention(w: Float32Array, rows: number, cols: number, p: RetentionParams, quantize: BaseQuantizer): TransformResult<RetentionInfo> {
  checkShape(w, rows, cols, 'Outlier retention');
  checkSelect(p.select, p.axis === 'element' ? w.length : p.axis === 'column' ? cols : rows);
  const scores = p.axis === 'element' ? Float32Array.from(w, Math.abs) : channelScores(w, rows, cols, p.axis, p.score ?? 'norm');
  const chosen = selectIndices(scores, p.select);
  const keep = new Uint8Array(w.length);
  for (const c of chosen) {
    if (p.axis === 'element') keep[c] = 1;
    else if (p.axis === 'column') for (let i = 0; i < rows; i++) keep[i * cols + c] = 1;
    else keep.fill(1, c * cols, (c + 1) * cols);
  }
  const dense = Float32Array.from(w, (x, i) => (keep[i] ? 0 : x));
  const q = quantize(dense, rows, cols);
  const xhat = Float32Array.from(q, (x, i) => (keep[i] ? toFp16(w[i]) : x));
  const unitSize = p.axis === 'element' ? 1 : p.axis === 'column' ? rows : cols;
  const { bits, positions } = retentionBits(chosen.length, unitSize, scores.length);
  return transformResult(xhat, rows, cols, quantize.bits(rows, cols), bits, {
    kept: chosen.length, indices: chosen.slice(0, INFO_INDICES), positions,
  });
}

function checkSelect(select: RetentionSelect, units: number): void {
  if (select.kind === 'top' && (!Number.isInteger(select.count) || select.count < 0 || select.count > units)) {
    throw new Error(`Outlier retention: the number kept must be a whole number from 0 to ${units}, got ${select.count}.`);
  }
  if (select.kind === 'threshold' && !(select.value >= 0)) {
    throw new Error(`Outlier retention: the threshold must be a number >= 0, got ${select.value}.`);
  }
}
