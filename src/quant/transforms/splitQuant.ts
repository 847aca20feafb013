// quant: SplitQuant: k-means splits the weights into lower / middle / upper clusters, each quantized with its own scales (CPU reference).
//
// Song & Lin 2025, "SplitQuant: Layer Splitting for Low-Bit Neural Network Quantization" (arXiv
// 2501.12631): 1-D k-means with k = 3 on a layer's weights, then the layer is replaced by three
// layers of the same shape, each holding one cluster's weights and zeros elsewhere, whose outputs
// are summed: mathematically the same layer, but each part is quantized on its own, narrower range,
// so the dense middle cluster gets a fine grid and the tails their own. Here the three parts are
// quantized with the base format (clusters per tensor as in the paper, or per row) and each weight
// keeps its own cluster's value.
// k-means starts from the 0.1st percentile, the median and the 99.9th percentile (deterministic,
// and it puts the centres low / middle / high as the method names them; seeded k-means++ is the
// alternative). On heavy tails k-means has several local optima, e.g. one that isolates a single
// extreme weight, or one that halves the bulk; the percentile start lands on the tails split.
// Storage is counted for the compact equivalent of the three layers (the paper keeps three dense
// layers and relies on the zeros compressing): one code per weight, three sets of scales, and the
// cluster ids: packed 5 to a byte (3^5 = 243 <= 256: 1.6 bits per weight), or, when the outer
// clusters are small, a list of their positions (ceil(log2 n) bits each plus 1 bit for lower or
// upper; the middle cluster is implicit), whichever is smaller.
import { type BaseQuantizer, checkShape, indexBits, transformResult, type TransformResult } from './base';
import { kmeans } from './kmeans';

export interface SplitQuantParams {
  /** Where the three clusters are fitted: the whole tensor (the paper) or each row. */
  readonly scope?: 'tensor' | 'row';
  /** How k-means starts: 'percentiles' (default, deterministic) or seeded 'k-means++'. */
  readonly init?: 'percentiles' | 'k-means++';
  /** Lloyd rounds of the 1-D k-means (default 20). */
  readonly iterations?: number;
  /** Seed of the k-means++ draws (default 0). */
  readonly seed?: number;
}

export interface SplitQuantInfo {
  /** Weights in the lower, middle and upper cluster. */
  readonly counts: [number, number, number];
  /** Cluster centres, ascending (per-tensor scope; for 'row', those of row 0). */
  readonly centres: number[];
  /** How the cluster ids are stored (the cheaper one). */
  readonly ids: 'packed' | 'positions';
}

/** Bits per weight of a packed cluster id: 5 ids of 3 values per byte. */
export const CLUSTER_ID_BITS = 8 / 5;

/** Storage of the cluster ids of n weights of which `outer` are in the lower or upper cluster. */
export function clusterIdBits(n: number, outer: number): { bits: number; ids: 'packed' | 'positions' } {
  const packed = n * CLUSTER_ID_BITS, positions = outer * (indexBits(n) + 1);
  return positions < packed ? { bits: positions, ids: 'positions' } : { bits: packed, ids: 'packed' };
}

/** Extra storage over the base format: two more sets of scales (base bits minus the codes) and the cluster ids. */
export function splitQuantExtraBits(baseBits: number, n: number, codeBits: number, outer: number): number {
  return 2 * (baseBits - n * codeBits) + clusterIdBits(n, outer).bits;
}

/** Starting centres: the 0.1st percentile, the median and the 99.9th percentile of x. */
function percentileCentres(x: Float32Array): Float32Array {
  const s = Float32Array.from(x).sort();
  const last = s.length - 1;
  return Float32Array.of(s[Math.floor(0.001 * last)], s[s.length >> 1], s[Math.ceil(0.999 * last)]);
}

/** Cluster label 0/1/2 (ascending centre) of each value of `x`, and the centres. */
export function threeClusters(x: Float32Array, p: SplitQuantParams = {}): { labels: Uint8Array; centres: number[] } {
  const init = p.init === 'k-means++' ? undefined : percentileCentres(x);
  const fit = kmeans(x, 1, { k: 3, iterations: p.iterations ?? 20, seed: p.seed ?? 0, init });
  const order = [0, 1, 2].sort((a, b) => fit.codebook[a] - fit.codebook[b] || a - b);
  const rank = new Uint8Array(3);
  order.forEach((c, r) => { rank[c] = r; });
  return { labels: Uint8Array.from(fit.assignments, (c) => rank[c]), centres: order.map((c) => fit.codebook[c]) };
}

/** SplitQuant of the row-major f32[rows · cols] tensor `w` with the base format `quantize`. */
export function applySplitQuant(w: Float32Array, rows: number, cols: number, p: SplitQuantParams, quantize: BaseQuantizer): TransformResult<SplitQuantInfo> {
  checkShape(w, rows, cols, 'SplitQuant');
  const labels = new Uint8Array(w.length);
  let centres: number[] = [];
  if (p.scope === 'row') {
    for (let r = 0; r < rows; r++) {
      const fit = threeClusters(w.subarray(r * cols, (r + 1) * cols), p);
      labels.set(fit.labels, r * cols);
      if (r === 0) centres = fit.centres;
    }
  } else {
    const fit = threeClusters(w, p);
    labels.set(fit.labels);
    centres = fit.centres;
  }
  const xhat = new Float32Array(w.length);
  const counts: [number, number, number] = [0, 0, 0];
  for (let c = 0; c < 3; c++) {
    const part = Float32Array.from(w, (x, i) => (labels[i] === c ? x : 0));
    const q = quantize(part, rows, cols);
    for (let i = 0; i < w.length; i++) if (labels[i] === c) { xhat[i] = q[i]; counts[c]++; }
  }
  const baseBits = quantize.bits(rows, cols);
  const outer = counts[0] + counts[2];
  return transformResult(xhat, rows, cols, baseBits, splitQuantExtraBits(baseBits, w.length, quantize.codeBits, outer), {
    counts, centres, ids: clusterIdBits(w.length, outer).ids,
  });
}
