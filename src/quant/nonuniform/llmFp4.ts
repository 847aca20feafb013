// quant: LLM-FP4-style search of the ExMy split and clip per tensor (MSE), elements from fpFormat, CPU reference.
import { assert } from '../../lib/assert';
import { divRn, f32 } from '../../lib/f32';
import { type FpFormat, fpFormat } from '../formats/fp';
import { packCodes, unpackCode } from '../pack';
import { midpoints, quantizerSse, sortSamples } from './sorted';

/** Clip ratios tried (clip = ratio · absmax): 0.30, 0.31, ..., 1.00 (71 values). */
export const CLIP_GRID: readonly number[] = Array.from({ length: 71 }, (_, i) => (30 + i) / 100);

/**
 * Candidate element formats of `bits` total bits: ExMy with e + m + 1 = bits, e >= 1, m >= 1
 * (fpFormat needs a mantissa bit, so E3M0 at 4 bits is not tried), default bias 2^(e-1) - 1 and no
 * inf/NaN codes (every code a finite value, as OCP FP4/FP6). The bias does not matter: the searched
 * clip rescales the grid, which is how LLM-FP4 treats its exponent bias.
 */
export function fpCandidates(bits: number): FpFormat[] {
  assert(bits >= 3 && bits <= 8, `fpCandidates: bits must be 3..8, got ${bits}`);
  return Array.from({ length: bits - 2 }, (_, i) => fpFormat({ e: i + 1, m: bits - 2 - i, ieeeSpecials: false }));
}

/** A per-tensor FP-coded tensor: codes of `format`, value = f32(decode(code) · scale). */
export interface FpSearchQuantized {
  readonly format: FpFormat;
  /** clip / format.max (fp32). */
  readonly scale: number;
  /** The chosen clip ratio (clip = ratio · absmax). */
  readonly clipRatio: number;
  readonly n: number;
  readonly words: Uint32Array;
  /** Every candidate's MSE, for the UI's "why this one". */
  readonly search: readonly { readonly e: number; readonly m: number; readonly clipRatio: number; readonly mse: number }[];
}

/** Codes of x under a format and scale: encode(f32(x · f32(1/scale))), saturating RNE (fpFormat). */
function encodeAll(x: Float32Array, format: FpFormat, scale: number): Uint8Array {
  const inv = scale === 0 ? 0 : divRn(1, scale);
  return Uint8Array.from(x, (v) => format.encode(f32(v * inv)));
}

/**
 * After Liu et al., "LLM-FP4: 4-Bit Floating-Point Quantized Transformers" (EMNLP 2023): per tensor,
 * try every {@link fpCandidates} split and every {@link CLIP_GRID} clip, scale = f32(clip / format.max),
 * and keep the pair with the least MSE (ties: the first in the order formats by e ascending, then
 * clip ratio ascending). Candidates are scored on sorted samples with prefix sums (midpoint thresholds,
 * so exact ties between two grid values may score differently from RNE: measure zero on real data);
 * the chosen pair then encodes the tensor exactly. The paper searches per channel with calibration
 * data and reparameterises the bias; this is the data-free, per-tensor form the playground uses.
 */
export function quantizeFpSearch(x: Float32Array, bits: number): FpSearchQuantized {
  const s = sortSamples(x);
  const n = x.length;
  const absmax = n ? Math.max(Math.abs(s.v[0]), Math.abs(s.v[n - 1])) : 0;
  const search: { e: number; m: number; clipRatio: number; mse: number }[] = [];
  let best: { format: FpFormat; scale: number; clipRatio: number; mse: number } | null = null;
  for (const format of fpCandidates(bits)) {
    for (const clipRatio of CLIP_GRID) {
      const scale = f32(f32(clipRatio * absmax) / format.max);
      const levels = format.values.map((v) => v * scale);
      const mse = n ? quantizerSse(s, levels, midpoints(levels)) / n : 0;
      search.push({ e: format.spec.e, m: format.spec.m, clipRatio, mse });
      if (best === null || mse < best.mse) best = { format, scale, clipRatio, mse };
    }
  }
  const b = best as { format: FpFormat; scale: number; clipRatio: number };
  return { format: b.format, scale: b.scale, clipRatio: b.clipRatio, n, words: packCodes(encodeAll(x, b.format, b.scale), bits), search };
}

/** Encodes with a fixed format and clip (the baseline the search is compared with, e.g. E2M1 at absmax). */
export function quantizeFpFixed(x: Float32Array, format: FpFormat, clipRatio = 1): FpSearchQuantized {
  let absmax = 0;
  for (const v of x) absmax = Math.max(absmax, Math.abs(v));
  const scale = f32(f32(clipRatio * absmax) / format.max);
  return { format, scale, clipRatio, n: x.length, words: packCodes(encodeAll(x, format, scale), format.bits), search: [] };
}

/** Dequantizes: f32(decode(code) · scale). */
export function dequantizeFpSearch(q: FpSearchQuantized): Float32Array {
  const out = new Float32Array(q.n);
  for (let i = 0; i < q.n; i++) out[i] = f32(q.format.decode(unpackCode(q.words, q.format.bits, i)) * q.scale);
  return out;
}

/** Bits per weight: b-bit codes + the fp32 tensor scale + one byte naming the chosen ExMy. */
export function fpSearchBitsPerWeight(bits: number, n: number): number {
  return (n * bits + 32 + 8) / n;
}
