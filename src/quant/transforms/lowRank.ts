// quant: low-rank plus quantized residual (Metis-style spectral split, or LoRC's low-rank error compensation), CPU reference.
//
// 'split': W ≈ L + Q(W − L) with L = U_r S_r V_rᵀ the rank-r truncated SVD of W, kept in 16-bit:
// the large singular directions (where outlier channels concentrate) leave the quantized part, which
// then has a narrower range. This is the spectral split of Metis (Cao et al. 2025, "Metis: Training
// Large Language Models with Advanced Low-Bit Quantization", arXiv 2509.00404). 'lorc': W ≈ Q(W) + L
// with L the rank-r SVD of the quantization error W − Q(W): LoRC (Yao et al. 2023, "ZeroQuant-V2",
// arXiv 2303.08302, §5). The SVD is the seeded randomized SVD of svd.ts. The factors are stored as
// U_r S_r (rows × r) and V_r (cols × r) in fp16 (or fp32): r · (rows + cols) · 16 bits.
import { f32 } from '../../lib/f32';
import { type BaseQuantizer, checkShape, toFp16, transformResult, type TransformResult } from './base';
import { randomizedSvd, type RandomizedSvdParams } from './svd';

export interface LowRankParams extends Omit<RandomizedSvdParams, 'rank'> {
  /** Rank r of the 16-bit part; 0 gives plain quantization. */
  readonly rank: number;
  /** 'split' (default): SVD of W, quantize the residual. 'lorc': quantize W, SVD of the error. */
  readonly order?: 'split' | 'lorc';
  /** Storage of the factors (default 'fp16'). */
  readonly factorType?: 'fp16' | 'fp32';
}

export interface LowRankInfo {
  readonly rank: number;
  /** The kept singular values (of W for 'split', of the error for 'lorc'), descending. */
  readonly singularValues: number[];
  /** Σ s_r² / ‖M‖²_F of the decomposed matrix M: the energy the 16-bit part carries. */
  readonly energy: number;
}

/** Bits of the factors: r · (rows + cols) · (16 or 32). */
export function lowRankBits(rows: number, cols: number, rank: number, factorType: 'fp16' | 'fp32' = 'fp16'): number {
  return rank * (rows + cols) * (factorType === 'fp16' ? 16 : 32);
}

/** The rank-r matrix (U S)(V)ᵀ of the randomized SVD of m, factors rounded to their storage type, as f32[rows · cols]. */
function lowRankPart(m: Float32Array, rows: number, cols: number, p: LowRankParams): { part: Float32Array; info: LowRankInfo } {
  const svd = randomizedSvd(m, rows, cols, { ...p, rank: p.rank });
  const r = svd.rank;
  const store = p.factorType === 'fp32' ? f32 : toFp16;
  const left = Float64Array.from({ length: rows * r }, (_, k) => store(svd.u[k] * svd.s[k % r]));
  const right = Float64Array.from(svd.v, store);
  const part = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      let s = 0;
      for (let c = 0; c < r; c++) s += left[i * r + c] * right[j * r + c];
      part[i * cols + j] = s;
    }
  }
  let total = 0;
  for (const x of m) total += x * x;
  let kept = 0;
  for (const s of svd.s) kept += s * s;
  return { part, info: { rank: r, singularValues: Array.from(svd.s), energy: total > 0 ? kept / total : 0 } };
}

/**
 * Low-rank plus quantized residual of the row-major f32[rows · cols] tensor `w`. baseBits: the base
 * format on the full tensor; extraBits: the factors ({@link lowRankBits}).
 */
export function applyLowRank(w: Float32Array, rows: number, cols: number, p: LowRankParams, quantize: BaseQuantizer): TransformResult<LowRankInfo> {
  checkShape(w, rows, cols, 'Low-rank split');
  const full = Math.min(rows, cols);
  if (!Number.isInteger(p.rank) || p.rank < 0 || p.rank > full) {
    throw new Error(`Low-rank split: the rank must be a whole number from 0 to ${full}, got ${p.rank}.`);
  }
  const baseBits = quantize.bits(rows, cols);
  if (p.rank === 0) return transformResult(quantize(w, rows, cols), rows, cols, baseBits, 0, { rank: 0, singularValues: [], energy: 0 });
  const extraBits = lowRankBits(rows, cols, p.rank, p.factorType);
  if (p.order === 'lorc') {
    const q = quantize(w, rows, cols);
    const { part, info } = lowRankPart(Float32Array.from(w, (x, i) => x - q[i]), rows, cols, p);
    return transformResult(Float32Array.from(q, (x, i) => x + part[i]), rows, cols, baseBits, extraBits, info);
  }
  const { part, info } = lowRankPart(w, rows, cols, p);
  const q = quantize(Float32Array.from(w, (x, i) => x - part[i]), rows, cols);
  return transformResult(Float32Array.from(q, (x, i) => x + part[i]), rows, cols, baseBits, extraBits, info);
}
