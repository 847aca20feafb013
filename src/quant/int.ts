// quant: block-wise integer quantization (4 modes, 5 scale encodings, nearest/stochastic rounding, clipping), the CPU reference.
//
// Definitions (each mirrored bit for bit by shaders/quant_int.wgsl):
// - Modes, for a group with (clipped) range [lo, hi] and maxq = 2^b - 1:
//   `sym`        absmax a = max(|lo|, |hi|), scale = a / (2^(b-1) - 1), q in ±(2^(b-1) - 1) stored as
//                q + 2^(b-1) (code 0 unused). The classic absmax quantizer (LLM.int8(), ggml Q8_0's range).
//   `sym-full`   scale = a / ((2^b - 1) / 2) = 2a / (2^b - 1), q in [-2^(b-1), 2^(b-1) - 1] stored as
//                q + 2^(b-1). This is GPTQ `quant.py` with sym=True (xmin = -xmax, scale = (xmax - xmin)
//                / maxq, zero = (maxq + 1) / 2) and torchao `choose_qparams_affine` MappingType.SYMMETRIC
//                (scale = max_abs / ((quant_max - quant_min) / 2)); they give the same grid. The top
//                element a lands at +(2^(b-1) - 1/2) steps and saturates to the top code.
//   `asym`       GPTQ `quant.py` (sym=False): range widened to include 0, all-zero group -> [-1, 1],
//                scale = (hi - lo) / maxq, integer zero = round(-lo / scale), code = round(x / s) + zero.
//   `asym-float` HQQ (`Quantizer.quantize`, round_zero=False): scale = (hi - lo) / maxq and a float
//                zero = -lo / scale, unrounded, so lo and hi land on the grid; code = round(x / s + zero).
//                No widening to 0, except a constant group (hi = lo), widened to include 0 so it
//                stays exact. HQQ stores 1/scale and computes round(x * (1/s) + zero) as here; its
//                zero is -min * (1/s) with 1/s capped at 2e4, here -lo / s correctly rounded, no cap.
//                HQQ's optional half-quadratic refinement of scale and zero is not part of this mode.
// - Scale encoding (src/quant/scaleEncoding.ts): the scale is rounded to its storage type (fp16,
//   bf16, E4M3 nearest-even saturating; E8M0 up to a power of two) before zero and 1/scale are
//   derived from it. The asym zero point is clamped to 0..maxq (a rounded-down scale could push it
//   one past); the asym-float zero point is stored in the scale's encoding (not E8M0: no sign).
// - Codes: t = x * (1/scale) in f32. Nearest: round half to even (WGSL `round`). Stochastic:
//   floor(t + u) with u = uniform01(seed, i) (src/lib/hash.ts) for the element's row-major index i,
//   so E[code] = t: unbiased, and reproducible for a seed. asym-float adds the zero before rounding
//   (f32(t + zero)), the integer-zero modes after. Codes are clamped to the mode's range.
// - Clipping (src/quant/clip.ts): percentile (per tensor, a threshold T from the CPU; each group's
//   [min, max] is intersected with [-T, T]) or the per-group MSE search: [min, max] scaled toward 0
//   by r in 1.00, 0.95, ..., 0.50 (as GPTQ's search scales xmin and xmax; in every mode, so an
//   asym-float group away from 0 slides toward 0 and usually keeps r = 1), the least squared error
//   wins, ties to the larger r. Its error sums are exact integers ({@link clipSearchError}), so CPU
//   and GPU choose the same ratio. Elements beyond the clipped range saturate to the end codes.
// Divisions are correctly rounded f32 (`divRn`, docs/DECISIONS.md). Every other step is one f32
// operation; the WGSL twin keeps products out of fused multiply-adds (see its header).
import { assert } from '../lib/assert';
import { divRn, f32, f32Bits, roundHalfEven } from '../lib/f32';
import { uniform01 } from '../lib/hash';
import { CLIP_RATIOS, type IntClip, percentileAbs } from './clip';
import { type GroupLayout, groupIndices, groupOf } from './groups';
import { packCodes, unpackCode } from './pack';
import { encodeScale, encodeSigned, SCALE_ENCODING_BITS, type ScaleEncoding } from './scaleEncoding';

export type { IntClip } from './clip';
export type { ScaleEncoding } from './scaleEncoding';

/** The four integer grids; see the file header for their sources. */
export type IntMode = 'sym' | 'sym-full' | 'asym' | 'asym-float';
export const INT_MODES: readonly IntMode[] = ['sym', 'sym-full', 'asym', 'asym-float'];

/** `nearest`: round half to even. `stochastic`: floor(x/s + u), u from a seeded counter hash. */
export type IntRounding = 'nearest' | 'stochastic';

/**
 * An integer format. Only `bits` is required; every other field has a default, so the two
 * original shapes `{ bits, symmetric: true }` ('sym') and `{ bits, symmetric: false }` ('asym')
 * still mean what they meant.
 */
export interface IntFormatParams {
  /** Code width, 1..8 (`sym` and `sym-full` need at least 2). */
  readonly bits: number;
  /** Legacy switch: true = 'sym', false = 'asym'. Ignored when `mode` is given. */
  readonly symmetric?: boolean;
  /** The grid; default from `symmetric` (true when absent). */
  readonly mode?: IntMode;
  /** How each group's scale is stored; default 'fp32'. */
  readonly scale?: ScaleEncoding;
  /** Default 'nearest'. */
  readonly rounding?: IntRounding;
  /** Seed of stochastic rounding, a u32; default 0. */
  readonly seed?: number;
  /** Default { kind: 'none' }. */
  readonly clip?: IntClip;
}

/** Every field of {@link IntFormatParams} filled in. */
export interface ResolvedIntFormat {
  readonly bits: number;
  readonly mode: IntMode;
  readonly scale: ScaleEncoding;
  readonly rounding: IntRounding;
  readonly seed: number;
  readonly clip: IntClip;
}

const NO_CLIP: IntClip = { kind: 'none' };

/** Fills in the defaults (see {@link IntFormatParams}). */
export function resolveIntFormat(p: IntFormatParams): ResolvedIntFormat {
  return {
    bits: p.bits,
    mode: p.mode ?? (p.symmetric === false ? 'asym' : 'sym'),
    scale: p.scale ?? 'fp32',
    rounding: p.rounding ?? 'nearest',
    seed: p.seed ?? 0,
    clip: p.clip ?? NO_CLIP,
  };
}

/** Why a format is not valid, or null when it is (for UIs to grey out impossible combinations). */
export function intFormatProblem(p: IntFormatParams): string | null {
  const r = resolveIntFormat(p);
  const minBits = r.mode === 'sym' || r.mode === 'sym-full' ? 2 : 1;
  if (!Number.isInteger(r.bits) || r.bits < minBits || r.bits > 8) return `${r.mode} integer bits must be ${minBits}..8, got ${r.bits}`;
  if (!INT_MODES.includes(r.mode)) return `unknown integer mode "${r.mode}"`;
  if (!(r.scale in SCALE_ENCODING_BITS)) return `unknown scale encoding "${r.scale}"`;
  if (r.mode === 'asym-float' && r.scale === 'e8m0') return 'asym-float stores its zero point in the scale encoding, and E8M0 has no sign or zero';
  if (r.rounding !== 'nearest' && r.rounding !== 'stochastic') return `unknown rounding "${r.rounding}"`;
  if (!Number.isInteger(r.seed) || r.seed < 0 || r.seed > 0xffffffff) return `seed must be a u32, got ${r.seed}`;
  if (r.clip.kind === 'percentile' && !(r.clip.p >= 90 && r.clip.p <= 100)) return `percentile clip p must be in [90, 100], got ${r.clip.p}`;
  if (!['none', 'percentile', 'mse'].includes(r.clip.kind)) return `unknown clip "${(r.clip as { kind: string }).kind}"`;
  return null;
}

function checked(p: IntFormatParams): ResolvedIntFormat {
  const problem = intFormatProblem(p);
  assert(problem === null, problem ?? '');
  return resolveIntFormat(p);
}

/**
 * Codes are stored unsigned, 0..2^b-1. `sym`: 1..2^b-1 (code 0 unused), zero point the constant
 * 2^(b-1). `sym-full`: 0..2^b-1 around 2^(b-1). `asym`, `asym-float`: 0..2^b-1 with a per-group
 * zero point.
 */
export function codeRange(p: IntFormatParams): { min: number; max: number } {
  const { mode, bits } = resolveIntFormat(p);
  return { min: mode === 'sym' ? 1 : 0, max: (1 << bits) - 1 };
}

/** Scale (as stored), zero point (integer, or float for asym-float) and the f32 reciprocal of the scale. */
export interface GroupParams {
  scale: number;
  zero: number;
  inv: number;
}

function modeParams(lo: number, hi: number, r: ResolvedIntFormat): GroupParams {
  const maxq = (1 << r.bits) - 1;
  let scale: number, zero: number;
  switch (r.mode) {
    case 'sym':
    case 'sym-full': {
      const a = Math.max(Math.abs(lo), Math.abs(hi));
      scale = encodeScale(divRn(a, r.mode === 'sym' ? (1 << (r.bits - 1)) - 1 : maxq / 2), r.scale);
      zero = 1 << (r.bits - 1);
      break;
    }
    case 'asym': {
      let l = Math.min(lo, 0), h = Math.max(hi, 0);
      if (l === 0 && h === 0) { l = -1; h = 1; }
      scale = encodeScale(divRn(f32(h - l), maxq), r.scale);
      zero = scale === 0 ? 0 : Math.min(roundHalfEven(divRn(Math.abs(l), scale)), maxq); // l <= 0; abs avoids -0
      break;
    }
    case 'asym-float': {
      let l = lo, h = hi;
      if (l === h) { l = Math.min(l, 0); h = Math.max(h, 0); }
      scale = encodeScale(divRn(f32(h - l), maxq), r.scale);
      // 0 - l (not -l) so that l = 0 gives +0, as in WGSL.
      zero = scale === 0 ? 0 : encodeSigned(divRn(f32(0 - l), scale), r.scale as Exclude<ScaleEncoding, 'e8m0'>);
      break;
    }
  }
  return { scale, zero, inv: scale === 0 ? 0 : divRn(1, scale) };
}

/**
 * Group parameters from the group's (already clipped) min and max, f32 values. See the file
 * header for each mode's definition and source.
 */
export function groupParams(min: number, max: number, p: IntFormatParams): GroupParams {
  return modeParams(min, max, checked(p));
}

/**
 * Code of one value. `u` in [0, 1) selects stochastic rounding (floor(t + u)); absent, round half
 * to even. `floatZero` (asym-float) adds the zero point before rounding.
 */
export function encodeValue(
  x: number, g: GroupParams, range: { min: number; max: number }, floatZero = false, u?: number,
): number {
  const t = f32(x * g.inv);
  let q: number;
  if (floatZero) {
    const y = f32(t + g.zero);
    q = u === undefined ? roundHalfEven(y) : Math.floor(f32(y + u));
  } else {
    q = (u === undefined ? roundHalfEven(t) : Math.floor(f32(t + u))) + g.zero;
  }
  return Math.min(range.max, Math.max(range.min, q));
}

/** Dequantized value of one code: f32(f32(code - zero) * scale) (code - zero is exact unless asym-float). */
export function decodeValue(code: number, scale: number, zero: number): number {
  return f32(f32(code - zero) * scale);
}

/**
 * Exponent offset for the MSE search's fixed-point errors: 2^(16 - E) with E the exponent such
 * that the group's absmax A < 2^E (biased exponent of f: 269 - biased(A), clamped to 1..254).
 */
export function clipSearchFactor(absmax: number): number {
  const biased = (f32Bits(absmax) >>> 23) & 0xff;
  return 2 ** (Math.min(254, Math.max(1, 269 - biased)) - 127);
}

const TWO32 = 2 ** 32;
const V_CAP = 2 ** 40;

/**
 * One element's squared error in the MSE search as a 64-bit fixed-point integer [hi, lo]:
 * d = f32(x - x̂); v = min(f32((d * f)^2), 2^40) with f = {@link clipSearchFactor} (a power of two,
 * so d * f is exact and |d| < 2A gives v < 2^34); hi = floor(v / 2^32), lo = floor(v - hi * 2^32).
 * Every step is a correctly rounded f32 operation or exact, so the GPU gets the same integers, and
 * integer sums do not depend on the order of summation: CPU and GPU pick the same ratio even with a
 * parallel reduction. The unit is 2^(2E - 32) <= A^2 / 2^30 of squared error (truncation loses less).
 * The cap (64 A^2 per element) only binds for broken grids (e.g. a saturated fp16 zero point); sums
 * wrap modulo 2^64 identically on both sides beyond 2^24 elements per group.
 */
export function clipSearchError(x: number, xhat: number, f: number): [number, number] {
  const d = f32(x - xhat);
  const df = f32(d * f);
  const v = Math.min(f32(df * df), V_CAP);
  const hi = Math.floor(v / TWO32);
  return [hi, Math.floor(v - hi * TWO32)];
}

/** A quantized tensor: packed codes plus one scale and zero point per group. */
export interface IntQuantized {
  readonly format: IntFormatParams;
  readonly layout: GroupLayout;
  readonly n: number;
  readonly words: Uint32Array;
  readonly scales: Float32Array;
  readonly zeros: Float32Array;
  /** Index into {@link CLIP_RATIOS} chosen per group by the MSE search (all 0 otherwise). */
  readonly clipRatio: Uint8Array;
}

/**
 * The per-tensor threshold T of a percentile clip (the value the GPU kernel receives as a
 * uniform), or Infinity when the format does not clip by percentile.
 */
export function intClipThreshold(x: Float32Array, p: IntFormatParams): number {
  const clip = resolveIntFormat(p).clip;
  return clip.kind === 'percentile' ? percentileAbs(x, clip.p) : Infinity;
}

/** Quantizes a row-major f32 tensor group by group. */
export function quantizeInt(x: Float32Array, layout: GroupLayout, format: IntFormatParams): IntQuantized {
  assert(layout.lines * layout.lineLen === x.length, 'quantizeInt: layout does not match tensor size');
  const r = checked(format);
  const scales = new Float32Array(layout.groupCount);
  const zeros = new Float32Array(layout.groupCount);
  const clipRatio = new Uint8Array(layout.groupCount);
  const codes = new Uint8Array(x.length);
  const range = codeRange(r);
  const floatZero = r.mode === 'asym-float';
  const stochastic = r.rounding === 'stochastic';
  const threshold = intClipThreshold(x, r);
  const code = (i: number, g: GroupParams) => encodeValue(x[i], g, range, floatZero, stochastic ? uniform01(r.seed, i) : undefined);
  for (let gi = 0; gi < layout.groupCount; gi++) {
    const idx = groupIndices(layout, gi);
    let min = Infinity, max = -Infinity;
    for (const i of idx) { min = Math.min(min, x[i]); max = Math.max(max, x[i]); }
    let params: GroupParams;
    if (r.clip.kind === 'mse') {
      const f = clipSearchFactor(Math.max(Math.abs(min), Math.abs(max)));
      let bestHi = Infinity, bestLo = Infinity, best = 0;
      params = modeParams(min, max, r);
      for (let k = 0; k < CLIP_RATIOS.length; k++) {
        const cand = modeParams(f32(min * CLIP_RATIOS[k]), f32(max * CLIP_RATIOS[k]), r);
        let hi = 0, lo = 0;
        for (const i of idx) {
          const [eh, el] = clipSearchError(x[i], decodeValue(code(i, cand), cand.scale, cand.zero), f);
          lo += el;
          hi += eh;
          if (lo >= TWO32) { lo -= TWO32; hi += 1; }
        }
        hi %= TWO32;
        if (hi < bestHi || (hi === bestHi && lo < bestLo)) { bestHi = hi; bestLo = lo; best = k; params = cand; }
      }
      clipRatio[gi] = best;
    } else {
      if (r.clip.kind === 'percentile') { min = Math.max(min, -threshold); max = Math.min(max, threshold); }
      params = modeParams(min, max, r);
    }
    scales[gi] = params.scale;
    zeros[gi] = params.zero;
    for (const i of idx) codes[i] = code(i, params);
  }
  return { format, layout, n: x.length, words: packCodes(codes, r.bits), scales, zeros, clipRatio };
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
 * Storage cost in bits per weight: b-bit codes, one scale per group at its encoded width (fp32 32,
 * fp16/bf16 16, E4M3/E8M0 8) and a zero point per group: b bits for asym (GPTQ packs zero points
 * at the code width), the scale encoding's width for asym-float (HQQ keeps it beside the scale),
 * none for the symmetric modes. A percentile threshold is used only to choose scales: not stored.
 */
export function intBitsPerWeight(format: IntFormatParams, n: number, groupCount: number): number {
  const r = resolveIntFormat(format);
  const scaleBits = SCALE_ENCODING_BITS[r.scale];
  const zeroBits = r.mode === 'asym' ? r.bits : r.mode === 'asym-float' ? scaleBits : 0;
  return (n * r.bits + groupCount * (scaleBits + zeroBits)) / n;
}
