// quant: vector quantization of weights: k-means codebooks over d-dimensional sub-vectors of rows (VPTQ-style), CPU reference.
//
// Each row is cut into sub-vectors of d consecutive weights; a codebook of 2^b codewords (fp16) is
// fitted by k-means (kmeans.ts: seeded k-means++, fixed Lloyd rounds) per tensor or per group of
// rows, and every sub-vector is replaced by its nearest codeword: b index bits per d weights. This is
// the core of VPTQ (Liu et al. 2024, "VPTQ: Extreme Low-bit Vector Post-Training Quantization for
// Large Language Models", arXiv 2409.17066) and of GPTVQ / AQLM, without their second-order
// (Hessian-weighted) objective, residual codebooks or fine-tuning: plain Euclidean k-means.
// Cost: b / d bits per weight of indices plus 2^b · d · 16 bits per codebook.
import { createRng, sampleDistinct } from '../../lib/rng';
import { checkShape, FP16_BITS, toFp16, transformResult, type TransformResult } from './base';
import { type AssignRequest, assignNearest, kmeansSteps } from './kmeans';
import { runSteps } from './steps';

export interface VqParams {
  /** Sub-vector length d (2, 4 or 8 in the papers; any divisor of cols from 1 to 8). */
  readonly dim: number;
  /** Index bits b: each codebook has 2^b codewords (1..12). */
  readonly bits: number;
  /** Lloyd rounds (default 10). */
  readonly iterations?: number;
  /** Seed of the k-means++ draws and of the training sample (default 0). */
  readonly seed?: number;
  /** Rows sharing one codebook; 0 or absent: one codebook for the whole tensor. */
  readonly rowsPerCodebook?: number;
  /** Sub-vectors k-means is fitted on per codebook (a seeded sample when there are more; default 16384). */
  readonly maxTrainVectors?: number;
}

export interface VqInfo {
  readonly codebooks: number;
  readonly codewords: number;
  /** k-means objective after each assignment step of the first codebook's fit (non-increasing). */
  readonly objective: number[];
  /** Index bits per weight (b / d) and codebook bits per weight. */
  readonly indexBitsPerWeight: number;
  readonly codebookBitsPerWeight: number;
}

const DEFAULT_ITERATIONS = 10;
const DEFAULT_MAX_TRAIN = 16384;

/** Storage of VQ on a [rows, cols] tensor: index bits and codebook bits. */
export function vqBits(rows: number, cols: number, p: VqParams): { indexBits: number; codebookBits: number } {
  const per = p.rowsPerCodebook && p.rowsPerCodebook > 0 ? Math.min(p.rowsPerCodebook, rows) : rows;
  const codebooks = Math.ceil(rows / per);
  return { indexBits: (rows * cols / p.dim) * p.bits, codebookBits: codebooks * 2 ** p.bits * p.dim * FP16_BITS };
}

/**
 * VQ as a generator of nearest-codeword requests (steps.ts): per codebook, the k-means fit on the
 * training sample, then one assignment of all sub-vectors to the fp16-rounded codebook.
 */
export function* vqSteps(w: Float32Array, rows: number, cols: number, p: VqParams): Generator<AssignRequest, TransformResult<VqInfo>, Uint32Array> {
  checkVq(w, rows, cols, p);
  const d = p.dim, k = 2 ** p.bits, seed = p.seed ?? 0;
  const per = p.rowsPerCodebook && p.rowsPerCodebook > 0 ? Math.min(p.rowsPerCodebook, rows) : rows;
  const maxTrain = p.maxTrainVectors ?? DEFAULT_MAX_TRAIN;
  const xhat = new Float32Array(w.length);
  let objective: number[] = [];
  for (let r0 = 0, g = 0; r0 < rows; r0 += per, g++) {
    const vectors = w.subarray(r0 * cols, Math.min(rows, r0 + per) * cols);
    const train = trainingSample(vectors, d, maxTrain, (seed + g * 0x9e3779b9) >>> 0);
    const fit = yield* kmeansSteps(train, d, { k, iterations: p.iterations ?? DEFAULT_ITERATIONS, seed: (seed ^ g) >>> 0 });
    if (g === 0) objective = fit.objective;
    const codebook = Float32Array.from(fit.codebook, toFp16);
    const assignments: Uint32Array = yield { vectors, d, codebook };
    assignments.forEach((c, v) => xhat.set(codebook.subarray(c * d, c * d + d), r0 * cols + v * d));
  }
  const { indexBits, codebookBits } = vqBits(rows, cols, p);
  const n = rows * cols;
  return transformResult(xhat, rows, cols, indexBits, codebookBits, {
    codebooks: Math.ceil(rows / per), codewords: k, objective,
    indexBitsPerWeight: indexBits / n, codebookBitsPerWeight: codebookBits / n,
  });
}

/**
 * Vector quantization of a row-major f32[rows · cols] tensor on the CPU. baseBits are the index
 * bits (the codes), extraBits the fp16 codebooks.
 */
export function applyVq(w: Float32Array, rows: number, cols: number, p: VqParams): TransformResult<VqInfo> {
  return runSteps(vqSteps(w, rows, cols, p), assignNearest);
}

/** All sub-vectors, or a seeded sample of `max` of them in their original order. */
function trainingSample(vectors: Float32Array, d: number, max: number, seed: number): Float32Array {
  const n = vectors.length / d;
  if (n <= max) return vectors;
  const picked = sampleDistinct(createRng(seed), n, max).sort((a, b) => a - b);
  const out = new Float32Array(max * d);
  picked.forEach((v, i) => out.set(vectors.subarray(v * d, v * d + d), i * d));
  return out;
}

function checkVq(w: Float32Array, rows: number, cols: number, p: VqParams): void {
  checkShape(w, rows, cols, 'Vector quantization');
  if (!Number.isInteger(p.dim) || p.dim < 1 || p.dim > 8 || cols % p.dim !== 0) {
    throw new Error(`Vector quantization: the sub-vector length ${p.dim} must be a whole number from 1 to 8 that divides the row length ${cols}.`);
  }
  if (!Number.isInteger(p.bits) || p.bits < 1 || p.bits > 12) {
    throw new Error(`Vector quantization: index bits must be a whole number from 1 to 12 (2 to 4096 codewords), got ${p.bits}.`);
  }
  if (p.maxTrainVectors !== undefined && (!Number.isInteger(p.maxTrainVectors) || p.maxTrainVectors < 1)) {
    throw new Error(`Vector quantization: maxTrainVectors must be a positive whole number, got ${p.maxTrainVectors}.`);
  }
}
