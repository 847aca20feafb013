// quant: block-wise integer round-to-nearest (symmetric absmax or GPTQ-style asymmetric), the CPU reference.
import { assert } from '../lib/assert';
import { divRn, f32, roundHalfEven } from '../lib/f32';
import { type GroupLayout, groupIndices, groupOf } from './groups';
import { packCodes, unpackCode } from './pack';

/** An integer format: `bits` 2..8, symmetric or asymmetric. */
export interface IntFormatParams {
  readonly bits: number;
  readonly symmetric: boolean;
}

/**
 * Codes are stored unsigned. Symmetric: q in [-(2^(b-1)-1), 2^(b-1)-1] stored as q + 2^(b-1), so
 * codes run 1..2^b-1 and the zero point is the constant 2^(b-1) (code 0 unused). Asymmetric:
 * codes 0..2^b-1 with a per-group integer zero point (GPTQ `quant.py`).
 */
export function codeRange(p: IntFormatParams): { min: number; max: number } {
  return p.symmetric ? { min: 1, max: (1 << p.bits) - 1 } : { min: 0, max: (1 << p.bits) - 1 };
}

/** Scale, integer zero point (as a float) and the f32 reciprocal of the scale for one group. */
export interface GroupParams {
  scale: number;
  zero: number;
  inv: number;
}

/**
 * Group parameters from the group's min and max (f32 values).
 * Symmetric: scale = absmax / (2^(b-1)-1). Asymmetric (GPTQ): the range is widened to include 0,
 * an all-zero group gets [-1, 1], scale = (max - min) / (2^b - 1), zero = round(-min / scale).
 * Divisions are correctly rounded f32; quantization multiplies by inv = 1/scale (as ggml and
 * bitsandbytes do), so codes can differ from an x/scale implementation only on near-ties.
 */
export function groupParams(min: number, max: number, p: IntFormatParams): GroupParams {
  assert(p.bits >= 2 && p.bits <= 8, `integer bits must be 2..8, got ${p.bits}`);
  let scale: number, zero: number;
  if (p.symmetric) {
    scale = divRn(Math.max(Math.abs(min), Math.abs(max)), (1 << (p.bits - 1)) - 1);
    zero = 1 << (p.bits - 1);
  } else {
    let lo = Math.min(min, 0), hi = Math.max(max, 0);
    if (lo === 0 && hi === 0) { lo = -1; hi = 1; }
    scale = divRn(f32(hi - lo), (1 << p.bits) - 1);
    zero = scale === 0 ? 0 : roundHalfEven(divRn(Math.abs(lo), scale)); // lo <= 0; abs avoids -0
  }
  return { scale, zero, inv: scale === 0 ? 0 : divRn(1, scale) };
}

/** Code of one value under its group's parameters. */
export function encodeValue(x: number, g: GroupParams, range: { min: number; max: number }): number {
  const q = roundHalfEven(f32(x * g.inv)) + g.zero;
  return Math.min(range.max, Math.max(range.min, q));
}

/** Dequantized value of one code: (code - zero) * scale in f32. */
export function decodeValue(code: number, scale: number, zero: number): number {
  return f32((code - zero) * scale);
}

/** A quantized tensor: packed codes plus one scale and zero point per group. */
export interface IntQuantized {
  readonly format: IntFormatParams;
  readonly layout: GroupLayout;
  readonly n: number;
  readonly words: Uint32Array;
  readonly scales: Float32Array;
  readonly zeros: Float32Array;
}

/** Quantizes a row-major f32 tensor group by group. */
export function quantizeInt(x: Float32Array, layout: GroupLayout, format: IntFormatParams): IntQuantized {
  assert(layout.lines * layout.lineLen === x.length, 'quantizeInt: layout does not match tensor size');
  const scales = new Float32Array(layout.groupCount);
  const zeros = new Float32Array(layout.groupCount);
  const codes = new Uint8Array(x.length);
  const range = codeRange(format);
  for (let g = 0; g < layout.groupCount; g++) {
    const idx = groupIndices(layout, g);
    let min = Infinity, max = -Infinity;
    for (const i of idx) { min = Math.min(min, x[i]); max = Math.max(max, x[i]); }
    const params = groupParams(min, max, format);
    scales[g] = params.scale;
    zeros[g] = params.zero;
    for (const i of idx) codes[i] = encodeValue(x[i], params, range);
  }
  return { format, layout, n: x.length, words: packCodes(codes, format.bits), scales, zeros };
}

/** Dequantizes every element: the tensor the model would actually compute with. */
export function dequantizeInt(q: IntQuantized): Float32Array {
  const out = new Float32Array(q.n);
  for (let i = 0; i < q.n; i++) {
    const g = groupOf(q.layout, i);
    out[i] = decodeValue(unpackCode(q.words, q.format.bits, i), q.scales[g], q.zeros[g]);
  }
  return out;
}

/** The levels one group can represent, ascending (for drawing on value histograms). */
export function groupLevels(format: IntFormatParams, scale: number, zero: number): number[] {
  const { min, max } = codeRange(format);
  const levels: number[] = [];
  for (let c = min; c <= max; c++) levels.push(decodeValue(c, scale, zero));
  return levels;
}

/**
 * Storage cost in bits per weight: b-bit codes, an fp32 scale per group and, when asymmetric,
 * a b-bit zero point per group (GPTQ packs zero points at the code width).
 */
export function intBitsPerWeight(format: IntFormatParams, n: number, groupCount: number): number {
  const perGroup = 32 + (format.symmetric ? 0 : format.bits);
  return (n * format.bits + groupCount * perGroup) / n;
}
