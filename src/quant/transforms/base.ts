// quant: what every weight-side transform shares: the base format as a quantize→dequantize closure, the result shape, storage-cost helpers.
import { assert } from '../../lib/assert';
import { type FormatChoice, bitsPerWeightOf, layoutFor, quantizeWith } from '../apply';
import { FP16 } from '../formats/fp';
import { formatById } from '../formats/registry';
import type { GroupKind, GroupLayout } from '../groups';
import { userCodeBits } from '../nonuniform/userCodebook';

/**
 * The base format a transform quantizes with: called as `quantize(x, rows, cols)` it returns the
 * dequantized f32[rows · cols] (row-major) tensor, i.e. quantize→dequantize; its fields tell what
 * that costs, so a transform can count the storage it adds on top.
 */
export interface BaseQuantizer {
  (x: Float32Array, rows: number, cols: number): Float32Array;
  /** The groups (one scale each) the format uses on a [rows, cols] tensor. */
  layout(rows: number, cols: number): GroupLayout;
  /** Storage of the codes and every scale/zero point of a [rows, cols] tensor, in bits. */
  bits(rows: number, cols: number): number;
  /** Width of one element code in bits (4 for INT4, NF4, Q4_K, ...). */
  readonly codeBits: number;
}

/**
 * A {@link BaseQuantizer} for any format of the library: src/quant/apply.ts `quantizeWith` under
 * `layoutFor(choice, rows, cols, kind, blockSize)` (formats with a fixed block keep theirs).
 */
export function baseQuantizer(choice: FormatChoice, kind: GroupKind, blockSize: number): BaseQuantizer {
  const layout = (rows: number, cols: number) => layoutFor(choice, rows, cols, kind, blockSize);
  const quantize = (x: Float32Array, rows: number, cols: number) => quantizeWith(x, layout(rows, cols), choice).xhat;
  const bits = (rows: number, cols: number) => bitsPerWeightOf(choice, rows * cols, layout(rows, cols).groupCount) * rows * cols;
  return Object.assign(quantize, { layout, bits, codeBits: codeBitsOf(choice) });
}

function codeBitsOf(choice: FormatChoice): number {
  if (choice.kind === 'int') return choice.params.bits;
  if (choice.kind === 'codebook') return userCodeBits(choice.levels.length);
  const desc = formatById(choice.id);
  assert(desc, `unknown format "${choice.id}"`);
  return desc.bits;
}

/**
 * What a transform returns. Bits: `baseBits` is the base format's codes and scales as the method
 * stores them (e.g. three sets of scales for SplitQuant count under extraBits, not here);
 * `extraBits` is everything beyond them (fp16 kept values and their indices or mask, a
 * permutation, low-rank factors, codebooks, cluster ids). bitsPerWeight = (base + extra) / n.
 */
export interface TransformResult<Info> {
  /** f32[rows · cols], row-major: the weights the model would compute with. */
  readonly xhat: Float32Array;
  readonly baseBits: number;
  readonly extraBits: number;
  readonly bitsPerWeight: number;
  /** Small, serialisable facts about what the method did (kept channels, ranks, objectives...). */
  readonly info: Info;
}

/** Assembles a {@link TransformResult} for a [rows, cols] tensor. */
export function transformResult<Info>(xhat: Float32Array, rows: number, cols: number, baseBits: number, extraBits: number, info: Info): TransformResult<Info> {
  return { xhat, baseBits, extraBits, bitsPerWeight: (baseBits + extraBits) / (rows * cols), info };
}

/** Bits of an index into n positions: ceil(log2 n), at least 1. */
export function indexBits(n: number): number {
  return Math.max(1, Math.ceil(Math.log2(n)));
}

/** Bits of an fp16 value (kept outliers, low-rank factors, codebook entries). */
export const FP16_BITS = 16;

/** x rounded to IEEE binary16 (nearest even, saturating at ±65504): what an fp16 store keeps. */
export function toFp16(x: number): number {
  return FP16.round(x);
}

/** Checks a [rows, cols] tensor's size and names the problem. */
export function checkShape(w: Float32Array, rows: number, cols: number, method: string): void {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1) {
    throw new Error(`${method}: the tensor shape must be two positive whole numbers, got [${rows}, ${cols}].`);
  }
  if (w.length !== rows * cols) {
    throw new Error(`${method}: the shape [${rows}, ${cols}] needs ${rows * cols} values but the tensor has ${w.length}.`);
  }
}
