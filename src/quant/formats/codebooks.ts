// quant: codebook element formats (bitsandbytes NF4/FP4, NF3/NF2, llama.cpp IQ4_NL) with their exact tie rules.
import { assert } from '../../lib/assert';
import { f32 } from '../../lib/f32';
import { normalPpf } from './normal';

/** A table of levels indexed by code, with the encoder its source library uses. */
export interface Codebook {
  readonly id: string;
  readonly bits: number;
  /** Level of each code (f32), indexed by code. */
  readonly levels: readonly number[];
  /** Code of a value already divided by the block scale. */
  encode(x: number): number;
  /** Level of a code. */
  decode(code: number): number;
}

/**
 * Codebook whose code is the number of thresholds t with x > t (strict), i.e. levels ascending
 * by code and a decision tree on fixed thresholds: a value exactly on a threshold takes the lower
 * code, and NaN takes code 0 (all comparisons false), as in bitsandbytes `dQuantizeNF4`.
 */
export function thresholdCodebook(id: string, levels: readonly number[], thresholds: readonly number[]): Codebook {
  assert(thresholds.length === levels.length - 1, `${id}: need one threshold between adjacent levels`);
  const t = thresholds.map(f32);
  return {
    id,
    bits: Math.log2(levels.length),
    levels,
    encode(x) {
      let c = 0;
      while (c < t.length && x > t[c]) c++;
      return c;
    },
    decode: (code) => levels[code],
  };
}

/**
 * NF4, bitsandbytes `get_4bit_type('nf4')` (bitsandbytes/functional.py) = `nf4_dequantization_lut`
 * (csrc/kernels.cu); from `create_normal_map(offset=0.9677083, use_extra_value=True)` (QLoRA).
 */
export const NF4_LEVELS: readonly number[] = [
  -1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453,
  -0.28444138169288635, -0.18477343022823334, -0.09105003625154495, 0.0,
  0.07958029955625534, 0.16093020141124725, 0.24611230194568634, 0.33791524171829224,
  0.44070982933044434, 0.5626170039176941, 0.7229568362236023, 1.0,
].map(f32);

/** The f32 thresholds of bitsandbytes `dQuantizeNF4` (csrc/kernels.cu), ascending. */
export const NF4_THRESHOLDS: readonly number[] = [
  -0.8480964004993439, -0.6106329262256622, -0.4599952697753906, -0.33967943489551544,
  -0.23460740596055984, -0.13791173323988914, -0.045525018125772476, 0.03979014977812767,
  0.1202552504837513, 0.2035212516784668, 0.2920137718319893, 0.3893125355243683,
  0.5016634166240692, 0.6427869200706482, 0.8614784181118011,
].map(f32);

/** NF4 with bitsandbytes' decision tree (ties take the lower code). */
export const NF4 = thresholdCodebook('nf4', NF4_LEVELS, NF4_THRESHOLDS);

/**
 * torch.linspace in f32 as ATen's CPU kernel computes it: step = (end - start) / (steps - 1),
 * the first half counted from start, the second half from end (so both ends are exact).
 */
export function linspaceF32(start: number, end: number, steps: number): number[] {
  const s = f32(start), e = f32(end), step = f32((e - s) / (steps - 1)), half = Math.floor(steps / 2);
  return Array.from({ length: steps }, (_, i) =>
    i < half ? f32(s + f32(step * i)) : f32(e - f32(step * (steps - i - 1))));
}

/**
 * NormalFloat levels of `bits` bits, built as bitsandbytes `create_normal_map` builds NF4:
 * 2^(b-1) positive normal quantiles norm.ppf(linspace(offset, 0.5, 2^(b-1)+1)[:-1]),
 * 2^(b-1)-1 negative ones from linspace(offset, 0.5, 2^(b-1))[:-1], and an exact zero; sorted,
 * then divided by the largest so the range is [-1, 1] (f32 throughout, as torch does).
 * Offset: QLoRA's rule, the mean of 1 - 1/(2(2^b - 1)) and 1 - 1/(2 * 2^b); for b = 4 it is
 * bitsandbytes' 0.9677083 (that literal is used for b = 4, so NF4 comes out bit-exact).
 */
export function normalFloatLevels(bits: number): number[] {
  assert(bits >= 2 && bits <= 8, `normalFloatLevels: bits must be 2..8, got ${bits}`);
  const offset = bits === 4 ? 0.9677083 : (2 - 1 / (2 * (2 ** bits - 1)) - 1 / 2 ** (bits + 1)) / 2;
  const half = 2 ** (bits - 1);
  const pos = linspaceF32(offset, 0.5, half + 1).slice(0, -1).map((p) => f32(normalPpf(p)));
  const neg = linspaceF32(offset, 0.5, half).slice(0, -1).map((p) => f32(-normalPpf(p)));
  const v = [...pos, 0, ...neg].sort((a, b) => a - b);
  const top = v[v.length - 1];
  return v.map((x) => f32(x / top));
}

/** Midpoints of adjacent levels, rounded to f32: how bitsandbytes derived the NF4 tree. */
export function midpointThresholds(levels: readonly number[]): number[] {
  return levels.slice(1).map((v, i) => f32((levels[i] + v) / 2));
}

/** NF3 (our extension; bitsandbytes ships only NF4): {@link normalFloatLevels}(3), midpoint tree. */
export const NF3 = thresholdCodebook('nf3', normalFloatLevels(3), midpointThresholds(normalFloatLevels(3)));
/** NF2 (our extension): {@link normalFloatLevels}(2), midpoint tree. */
export const NF2 = thresholdCodebook('nf2', normalFloatLevels(2), midpointThresholds(normalFloatLevels(2)));

/**
 * bitsandbytes FP4 (not OCP E2M1): sign bit 3, magnitude from `fp4_dequantization_lut`
 * (csrc/kernels.cu), i.e. {0, 0.0625, 8, 12, 4, 6, 2, 3} / 12 by the low 3 bits (a bias-3 E2M1
 * variant normalised by its max 12; `get_4bit_type('fp4')`). Encode is `dQuantizeFP4`: sign from
 * x < 0 (so -0 and NaN get +), then a tree with strict `>` on |x| (ties take the smaller magnitude).
 */
const FP4_LUT = [0.0, 0.005208333333, 0.66666667, 1.0, 0.33333333, 0.5, 0.16666667, 0.25].map(f32);
const FP4_MAG_CODES = [0b000, 0b001, 0b110, 0b111, 0b100, 0b101, 0b010, 0b011]; // ascending magnitude
const FP4_THRESHOLDS = [0.00260417, 0.0859375, 0.20833333, 0.29166667, 0.4166667, 0.583333, 0.8333333].map(f32);

const FP4_LEVELS = Array.from({ length: 16 }, (_, c) => (c & 8 ? -1 : 1) * FP4_LUT[c & 7]);

export const FP4_BNB: Codebook = {
  id: 'fp4-bnb',
  bits: 4,
  levels: FP4_LEVELS,
  encode(x) {
    const sign = x < 0 ? 8 : 0;
    const a = Math.abs(x);
    let i = 0;
    while (i < FP4_THRESHOLDS.length && a > FP4_THRESHOLDS[i]) i++;
    return FP4_MAG_CODES[i] + sign;
  },
  decode: (code) => FP4_LEVELS[code],
};

/**
 * llama.cpp IQ4_NL levels `kvalues_iq4nl` (ggml/src/ggml-quants.c, ggml-common.h): int8 values
 * used directly with an fp16 block scale d (value = d * kvalues[code]); not normalised.
 */
export const IQ4NL_VALUES: readonly number[] = [-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113];

/**
 * ggml `best_index_int8`: nearest level of an ascending int table for an f32 x in table units;
 * below/above the ends clamps; an exact tie (x - lo == hi - x) takes the upper level.
 */
export function bestIndexInt8(values: readonly number[], x: number): number {
  const n = values.length;
  if (x <= values[0]) return 0;
  if (x >= values[n - 1]) return n - 1;
  let lo = 0, hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (x < values[mid]) hi = mid; else lo = mid;
  }
  return f32(x - values[hi - 1]) < f32(values[hi] - x) ? hi - 1 : hi;
}

/** IQ4_NL as a codebook in table units (x already multiplied by 1/d). */
export const IQ4NL: Codebook = {
  id: 'iq4nl',
  bits: 4,
  levels: IQ4NL_VALUES,
  encode: (x) => bestIndexInt8(IQ4NL_VALUES, x),
  decode: (code) => IQ4NL_VALUES[code],
};
