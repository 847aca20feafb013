// quant: absmax-scaled codebook blocks (bitsandbytes NF4/FP4 style), scale encodings and bnb double quant.
import { assert } from '../../lib/assert';
import { divRn, f32 } from '../../lib/f32';
import { type GroupLayout, absMaxOf, groupIndices, groupOf } from '../groups';
import { packCodes, unpackCode } from '../pack';
import type { Codebook } from './codebooks';
import { linspaceF32 } from './codebooks';
import { BF16, FP16 } from './fp';

/** How a per-group scale is stored. */
export type ScaleType = 'fp32' | 'fp16' | 'bf16';

/** Bits of one stored scale. */
export const SCALE_BITS: Readonly<Record<ScaleType, number>> = { fp32: 32, fp16: 16, bf16: 16 };

/** The scale value actually stored: RNE to fp16/bf16 (saturating at their max), identity for fp32. */
export function storeScale(s: number, type: ScaleType): number {
  return type === 'fp32' ? s : type === 'fp16' ? FP16.round(s) : BF16.round(s);
}

/**
 * bitsandbytes double quantization (`quantize_4bit(compress_statistics=True)`, bitsandbytes/functional.py):
 * offset = mean(absmax); (absmax - offset) is quantized by `quantize_blockwise` with blocksize 256 and
 * the signed 8-bit dynamic map, keeping an fp32 absmax per 256 scales.
 */
export interface DoubleQuant {
  /** 8-bit dynamic-map codes, one per group. */
  readonly codes: Uint8Array;
  /** fp32 absmax of each run of 256 centred scales. */
  readonly absmax2: Float32Array;
  /** fp32 mean of the original scales. */
  readonly offset: number;
}

/** Codebook-coded tensor with one scale per group (and optionally double-quantized scales). */
export interface AbsmaxQuantized {
  readonly codebook: Codebook;
  readonly layout: GroupLayout;
  readonly n: number;
  readonly words: Uint32Array;
  readonly scaleType: ScaleType;
  /** Stored scales (group absmax in `scaleType`); with double quant, the scales it reconstructs. */
  readonly scales: Float32Array;
  readonly doubleQuant: DoubleQuant | null;
}

/**
 * Quantizes as bitsandbytes `kQuantizeBlockwise` (csrc/kernels.cu) does for NF4/FP4: per group,
 * absmax a (stored in `scaleType`), codes = codebook.encode(f32(x * f32(1 / a))). A zero group gives
 * 1/0 = inf, 0 * inf = NaN and the tree's NaN code (0 for NF4), dequantizing to (-)0 as in bnb.
 * bitsandbytes blocks the flattened tensor: use `groupLayout(1, n, 'block', 64)` to match it.
 * `doubleQuant` (fp32 scales only) affects only the scales used to dequantize, as in bnb.
 */
export function quantizeAbsmax(
  x: Float32Array, layout: GroupLayout, codebook: Codebook, scaleType: ScaleType = 'fp32', doubleQuant = false,
): AbsmaxQuantized {
  assert(layout.lines * layout.lineLen === x.length, 'quantizeAbsmax: layout does not match tensor size');
  assert(!doubleQuant || scaleType === 'fp32', 'quantizeAbsmax: double quant applies to fp32 scales');
  const codes = new Uint8Array(x.length);
  const scales = new Float32Array(layout.groupCount);
  for (let g = 0; g < layout.groupCount; g++) {
    const idx = groupIndices(layout, g);
    const amax = absMaxOf(x, idx);
    scales[g] = storeScale(amax, scaleType);
    const inv = divRn(1, scales[g]);
    for (const i of idx) codes[i] = codebook.encode(f32(x[i] * inv));
  }
  const dq = doubleQuant ? doubleQuantize(scales) : null;
  return {
    codebook, layout, n: x.length, words: packCodes(codes, codebook.bits), scaleType,
    scales: dq ? doubleDequantize(dq) : scales, doubleQuant: dq,
  };
}

/** Dequantizes: f32(level * scale). */
export function dequantizeAbsmax(q: AbsmaxQuantized): Float32Array {
  const out = new Float32Array(q.n);
  for (let i = 0; i < q.n; i++) {
    out[i] = f32(q.codebook.decode(unpackCode(q.words, q.codebook.bits, i)) * q.scales[groupOf(q.layout, i)]);
  }
  return out;
}

/**
 * Bits per weight: code bits + one scale per group; with double quant, 8 bits per group + an fp32
 * absmax per 256 groups + the fp32 offset (NF4, block 64: 4.5 plain, 4 + 8/64 + 32/16384 + 32/n with DQ).
 */
export function absmaxBitsPerWeight(bits: number, scaleType: ScaleType, doubleQuant: boolean, n: number, groupCount: number): number {
  const scaleBits = doubleQuant ? 8 * groupCount + 32 * Math.ceil(groupCount / 256) + 32 : SCALE_BITS[scaleType] * groupCount;
  return (bits * n + scaleBits) / n;
}

/**
 * bitsandbytes `create_dynamic_map(signed=True, max_exponent_bits=7, total_bits=8)`: for i = 0..6,
 * the midpoints of linspace(0.1, 1, 2^i + 1) times 10^(i-6), with both signs, plus 0 and 1; 256
 * values ascending. f32 as torch computes it (f32 linspace, f32 midpoints, f32 product).
 */
export function dynamicMap(): number[] {
  const data: number[] = [0, 1];
  for (let i = 0; i < 7; i++) {
    const b = linspaceF32(0.1, 1, 2 ** i + 1);
    const unit = f32(10 ** (i - 6));
    for (let k = 0; k + 1 < b.length; k++) {
      const v = f32(unit * f32(f32(b[k] + b[k + 1]) / 2));
      data.push(v, -v);
    }
  }
  return data.sort((a, c) => a - c);
}

const DYNAMIC_MAP = dynamicMap();

/**
 * bitsandbytes `dQuantize<0>` (csrc/kernels.cu): a 7-step binary search on the sorted 256-entry
 * map from pivot 127, then the nearer neighbour by an f32 midpoint compare (ties keep the pivot).
 */
export function dynamicQuantize(code: readonly number[], x: number): number {
  let pivot = 127, upperPivot = 255, lowerPivot = 0;
  let lower = -1, upper = 1;
  let val = code[pivot];
  for (let i = 64; i > 0; i >>= 1) {
    if (x > val) { lowerPivot = pivot; lower = val; pivot += i; } else { upperPivot = pivot; upper = val; pivot -= i; }
    val = code[pivot];
  }
  if (upperPivot === 255) upper = code[upperPivot];
  if (lowerPivot === 0) lower = code[lowerPivot];
  if (x > val) return x > f32(f32(upper + val) * 0.5) ? upperPivot : pivot;
  return x < f32(f32(lower + val) * 0.5) ? lowerPivot : pivot;
}

/** The double-quant step on fp32 scales. The mean is taken in f64 then rounded (torch's order may differ in the last bit). */
export function doubleQuantize(scales: Float32Array): DoubleQuant {
  let sum = 0;
  for (const s of scales) sum += s;
  const offset = f32(sum / scales.length);
  const codes = new Uint8Array(scales.length);
  const absmax2 = new Float32Array(Math.ceil(scales.length / 256));
  for (let b = 0; b < absmax2.length; b++) {
    const end = Math.min(scales.length, (b + 1) * 256);
    let amax = 0;
    for (let i = b * 256; i < end; i++) amax = Math.max(amax, Math.abs(f32(scales[i] - offset)));
    absmax2[b] = amax;
    const inv = divRn(1, amax);
    for (let i = b * 256; i < end; i++) codes[i] = dynamicQuantize(DYNAMIC_MAP, f32(f32(scales[i] - offset) * inv));
  }
  return { codes, absmax2, offset };
}

/** Scales reconstructed from double quant: f32(f32(map[code] * absmax2) + offset), as `dequantize_blockwise` + offset. */
export function doubleDequantize(dq: DoubleQuant): Float32Array {
  return Float32Array.from(dq.codes, (c, i) => f32(f32(DYNAMIC_MAP[c] * dq.absmax2[i >> 8]) + dq.offset));
}
