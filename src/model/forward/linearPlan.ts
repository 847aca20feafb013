// model: plans a linear layer of a model pass under the recipe's transform: the weight that is quantized and stored, what runs around its product (linearTransforms.ts), and the storage it costs.
//
// The decompositions are those of src/quant/transforms (same selection, same seeded SVD, same fp16
// rounding), so Ŵ plus its execution is, up to f32 rounding, the linear map of applyTransform's x̂.
// Methods that only change the stored values (element retention, SplitQuant, clip search, VQ) are
// simulated: the layer runs on x̂ itself, dequantized f32.
import { f32 } from '../../lib/f32';
import { type HadamardRotation, hadamardRotation, largestSupportedBlock, rotateInputDim } from '../../quant/hadamard/rotation';
import { type BaseQuantizer, toFp16 } from '../../quant/transforms/base';
import { type LowRankParams, lowRankBits } from '../../quant/transforms/lowRank';
import { applyTransform, type TransformSpec } from '../../quant/transforms/registry';
import { columnOrder, gatherColumns, permutationBits } from '../../quant/transforms/reorder';
import { channelScores, type RetentionParams, retentionBits, selectIndices } from '../../quant/transforms/retention';
import { defaultRotationBlock, type RotationParams } from '../../quant/transforms/rotation';
import { randomizedSvd } from '../../quant/transforms/svd';
import type { LinearExecution } from './linearTransforms';

/**
 * A linear layer W [n outputs, k inputs] under a transform. `bits`: storage of the codes, scales and
 * everything the method adds (the method's baseBits + extraBits).
 */
export type LinearPlan =
  /** Quantize `base` (f32[n · k]) and run its product with `execution` around it (null: a plain product). */
  | { readonly mode: 'executed'; readonly base: Float32Array; readonly execution: LinearExecution | null; readonly bits: number }
  /** Run the method's dequantized weights x̂ (f32[n · k]) as they are. */
  | { readonly mode: 'simulated'; readonly xhat: Float32Array; readonly bits: number };

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/**
 * The rotation of a layer with k inputs: the recipe's block (default the whole input) when it
 * divides k, else the largest supported block dividing both; a block without a Hadamard matrix
 * gives way to the largest supported block dividing it (defaultRotationBlock). Seed default 0.
 */
export function layerRotation(k: number, p: RotationParams): HadamardRotation {
  const wanted = p.block ?? k;
  const block = k % wanted === 0 ? defaultRotationBlock(wanted) : largestSupportedBlock(gcd(wanted, k));
  return hadamardRotation(k, { block, seed: p.seed === undefined ? 0 : p.seed });
}

/**
 * Plans the row-major f32[n · k] weight `w` under `spec` with the base format `quantize`. A count
 * of kept channels or a rank larger than the layer allows is clamped to it (a model's layers differ
 * in size).
 */
export function planLinear(spec: TransformSpec, w: Float32Array, n: number, k: number, quantize: BaseQuantizer): LinearPlan {
  const plain = (): LinearPlan => ({ mode: 'executed', base: w, execution: null, bits: quantize.bits(n, k) });
  switch (spec.method) {
    case 'none': return plain();
    case 'hadamard': {
      const rotation = layerRotation(k, spec.params);
      const seedBits = rotation.seed === null ? 0 : 32;
      return { mode: 'executed', base: rotateInputDim(w, n, k, rotation), execution: { kind: 'rotate', rotation }, bits: quantize.bits(n, k) + seedBits };
    }
    case 'reorder': {
      if (spec.params.by === 'identity') return plain();
      const perm = columnOrder(w, n, k, spec.params.by);
      return { mode: 'executed', base: gatherColumns(w, n, k, perm), execution: { kind: 'permute', perm }, bits: quantize.bits(n, k) + permutationBits(k) };
    }
    case 'retention':
      if (spec.params.axis === 'element') break;
      return planRetention(w, n, k, { ...spec.params, axis: spec.params.axis }, quantize);
    case 'lowrank': return planLowRank(w, n, k, spec.params, quantize) ?? plain();
    case 'splitquant': case 'clip-search': case 'vq': break;
  }
  const r = applyTransform(spec, w, n, k, quantize);
  return { mode: 'simulated', xhat: r.xhat, bits: r.baseBits + r.extraBits };
}

/** Whole columns (input channels) or rows (output channels) kept in fp16, chosen as applyRetention chooses them. */
function planRetention(w: Float32Array, n: number, k: number, p: RetentionParams & { axis: 'column' | 'row' }, quantize: BaseQuantizer): LinearPlan {
  const columns = p.axis === 'column';
  const units = columns ? k : n;
  const select = p.select.kind === 'top' ? { kind: 'top' as const, count: Math.min(p.select.count, units) } : p.select;
  const chosen = Uint32Array.from(selectIndices(channelScores(w, n, k, p.axis, p.score ?? 'norm'), select));
  if (chosen.length === 0) return { mode: 'executed', base: w, execution: null, bits: quantize.bits(n, k) };
  const base = Float32Array.from(w);
  const kept = new Float32Array(chosen.length * (columns ? n : k));
  chosen.forEach((unit, j) => {
    if (columns) {
      for (let r = 0; r < n; r++) { kept[r * chosen.length + j] = toFp16(w[r * k + unit]); base[r * k + unit] = 0; }
    } else {
      for (let c = 0; c < k; c++) { kept[j * k + c] = toFp16(w[unit * k + c]); base[unit * k + c] = 0; }
    }
  });
  const extra = retentionBits(chosen.length, columns ? n : k, units).bits;
  const execution: LinearExecution = columns ? { kind: 'columns', columns: chosen, kept } : { kind: 'rows', rows: chosen, kept };
  return { mode: 'executed', base, execution, bits: quantize.bits(n, k) + extra };
}

/**
 * Low-rank branch and quantized part as applyLowRank builds them: 'split' decomposes W and
 * quantizes W − A·B, 'lorc' quantizes W and decomposes its error W − Q(W). Null for rank 0.
 */
function planLowRank(w: Float32Array, n: number, k: number, p: LowRankParams, quantize: BaseQuantizer): LinearPlan | null {
  const rank = Math.min(p.rank, n, k);
  if (rank <= 0) return null;
  const lorc = p.order === 'lorc';
  const decomposed = lorc ? Float32Array.from(quantize(w, n, k), (q, i) => w[i] - q) : w;
  const svd = randomizedSvd(decomposed, n, k, { ...p, rank });
  const store = p.factorType === 'fp32' ? f32 : toFp16;
  const left = Float32Array.from({ length: n * rank }, (_, i) => store(svd.u[i] * svd.s[i % rank]));
  const right = new Float32Array(rank * k);
  for (let j = 0; j < k; j++) for (let c = 0; c < rank; c++) right[c * k + j] = store(svd.v[j * rank + c]);
  let base = w;
  if (!lorc) {
    // W − A·B with the product summed in f64 and rounded once, then the difference rounded once: lowRank.ts's order.
    base = new Float32Array(n * k);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < k; j++) {
        let s = 0;
        for (let c = 0; c < rank; c++) s += left[i * rank + c] * right[c * k + j];
        base[i * k + j] = w[i * k + j] - f32(s);
      }
    }
  }
  return { mode: 'executed', base, execution: { kind: 'lowrank', rank, left, right }, bits: quantize.bits(n, k) + lowRankBits(n, k, rank, p.factorType) };
}
