// quant: a codebook the user types ("-1, -0.5, 0, 0.5, 1"): parsing with clear errors, absmax-scaled or raw, CPU reference.
import { assert } from '../../lib/assert';
import { divRn, f32 } from '../../lib/f32';
import { SCALE_BITS, type ScaleType, storeScale } from '../formats/absmax';
import type { Codebook } from '../formats/codebooks';
import { type GroupLayout, absMaxOf, groupIndices, groupOf } from '../groups';
import { packCodes, unpackCode } from '../pack';
import { storedCodebook } from './lloydMax';

/** Most levels a typed codebook may have (8-bit codes). */
export const MAX_USER_LEVELS = 256;

/** Parse result: ascending distinct f32 levels, or one message saying what to fix. */
export type ParsedCodebook = { readonly ok: true; readonly levels: number[] } | { readonly ok: false; readonly error: string };

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/**
 * Parses levels separated by commas, semicolons and/or whitespace, optionally inside [ ] brackets
 * (one trailing separator is allowed).
 * Each entry is a decimal number (1, -0.5, .25, 3e-2; no hex, Infinity or NaN), rounded to f32.
 * Errors: empty text, an empty entry ("1,,2"), a non-number, a value too large for f32, two entries
 * equal after f32 rounding, fewer than 2 or more than 256 levels. Levels are returned sorted ascending.
 */
export function parseCodebook(text: string): ParsedCodebook {
  const body = text.trim().replace(/^\[(.*)\]$/s, '$1').trim().replace(/\s*[,;]$/, ''); // a trailing separator is fine
  if (body === '') return { ok: false, error: 'The codebook is empty: type levels such as -1, -0.5, 0, 0.5, 1.' };
  const tokens = body.split(/\s*[,;]\s*|\s+/);
  const values: number[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t === '') return { ok: false, error: `Entry ${i + 1} is empty (two separators in a row?).` };
    if (!NUMBER.test(t)) return { ok: false, error: `Entry ${i + 1} ("${t}") is not a number.` };
    const v = f32(Number(t));
    if (!Number.isFinite(v)) return { ok: false, error: `Entry ${i + 1} (${t}) is too large for a 32-bit float.` };
    const j = values.findIndex((u) => u === v);
    if (j >= 0) return { ok: false, error: `Entries ${j + 1} and ${i + 1} are the same level (${tokens[j]} = ${t} as a 32-bit float).` };
    values.push(v === 0 ? 0 : v); // -0 and 0 are one level
  }
  if (values.length < 2) return { ok: false, error: 'A codebook needs at least 2 levels.' };
  if (values.length > MAX_USER_LEVELS) {
    return { ok: false, error: `${values.length} levels is too many: at most ${MAX_USER_LEVELS} (8-bit codes).` };
  }
  return { ok: true, levels: values.sort((a, b) => a - b) };
}

/** Code width for L levels: ceil(log2 L), at least 1. */
export function userCodeBits(levelCount: number): number {
  return Math.max(1, Math.ceil(Math.log2(levelCount)));
}

/** 'absmax': levels are divided by their largest |level| and scaled by each group's absmax. 'raw': levels are values. */
export type UserScaling = 'absmax' | 'raw';

/** A tensor coded with a typed codebook. */
export interface UserQuantized {
  /** The levels codes decode to before scaling: normalised to max |level| = 1 for 'absmax', as typed for 'raw'. */
  readonly levels: readonly number[];
  readonly scaling: UserScaling;
  readonly bits: number;
  readonly layout: GroupLayout;
  readonly n: number;
  readonly words: Uint32Array;
  readonly scaleType: ScaleType;
  /** Stored group absmax ('absmax' only; empty for 'raw'). */
  readonly scales: Float32Array;
}

/**
 * The codebook used to encode: for 'absmax' the levels are f32(level / max|level|), so the group's
 * largest element lands on the outermost level of its sign. Nearest level by the strict-`>` tree on
 * f32 midpoints: a value exactly halfway takes the lower level.
 */
export function userCodebook(levels: readonly number[], scaling: UserScaling): Codebook {
  assert(levels.length >= 2, 'userCodebook: need at least 2 levels');
  const top = Math.max(...levels.map(Math.abs));
  assert(scaling === 'raw' || top > 0, 'userCodebook: absmax scaling needs a nonzero level');
  const normalised = scaling === 'raw' ? [...levels] : levels.map((v) => f32(v / top));
  return storedCodebook('user', normalised);
}

/**
 * Quantizes with a typed codebook (from {@link parseCodebook}). 'absmax': per group a = absmax
 * (stored in `scaleType`), code = encode(f32(x · f32(1/a))) (an all-zero group uses 1/a := 0, so
 * its elements take the level nearest 0), value = f32(level · a). 'raw': code = encode(x), value = level.
 */
export function quantizeUserCodebook(
  x: Float32Array, layout: GroupLayout, levels: readonly number[], scaling: UserScaling, scaleType: ScaleType = 'fp32',
): UserQuantized {
  assert(layout.lines * layout.lineLen === x.length, 'quantizeUserCodebook: layout does not match tensor size');
  const cb = userCodebook(levels, scaling);
  const bits = userCodeBits(levels.length);
  const codes = new Uint8Array(x.length);
  const scales = new Float32Array(scaling === 'absmax' ? layout.groupCount : 0);
  if (scaling === 'raw') {
    for (let i = 0; i < x.length; i++) codes[i] = cb.encode(x[i]);
  } else {
    for (let g = 0; g < layout.groupCount; g++) {
      const idx = groupIndices(layout, g);
      const amax = absMaxOf(x, idx);
      scales[g] = storeScale(amax, scaleType);
      const inv = scales[g] === 0 ? 0 : divRn(1, scales[g]);
      for (const i of idx) codes[i] = cb.encode(f32(x[i] * inv));
    }
  }
  return { levels: cb.levels, scaling, bits, layout, n: x.length, words: packCodes(codes, bits), scaleType, scales };
}

/** Dequantizes: level (raw) or f32(level · group scale) (absmax). */
export function dequantizeUserCodebook(q: UserQuantized): Float32Array {
  const out = new Float32Array(q.n);
  for (let i = 0; i < q.n; i++) {
    const level = q.levels[unpackCode(q.words, q.bits, i)];
    out[i] = q.scaling === 'raw' ? level : f32(level * q.scales[groupOf(q.layout, i)]);
  }
  return out;
}

/**
 * Bits per weight: ceil(log2 L)-bit codes, a scale per group ('absmax'), and the codebook itself
 * (L fp32 levels, stored once with the tensor: a typed codebook is not a known constant to a reader).
 */
export function userBitsPerWeight(levelCount: number, scaling: UserScaling, scaleType: ScaleType, n: number, groupCount: number): number {
  const scaleBits = scaling === 'absmax' ? SCALE_BITS[scaleType] * groupCount : 0;
  return (n * userCodeBits(levelCount) + scaleBits + 32 * levelCount) / n;
}
