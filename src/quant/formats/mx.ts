// quant: OCP Microscaling block formats (MXFP8/6/4, MXINT8): 32 elements share one E8M0 power-of-two scale.
import { assert } from '../../lib/assert';
import { f32, roundHalfEven } from '../../lib/f32';
import { type GroupLayout, groupIndices, groupOf } from '../groups';
import { packCodes, unpackCode } from '../pack';
import { elementClipThreshold, elementCoder, type ElementOptions, floorLog2 } from './elementOptions';
import { E2M1, E2M3, E3M2, E4M3, E5M2, E8M0 } from './fp';

/** What an MX block needs from its element type. */
export interface MxElement {
  readonly bits: number;
  /** Exponent of the element type's largest normal (OCP MX v1.0 §6.3 "emax_elem"). */
  readonly emax: number;
  /** Largest finite element value; larger inputs saturate to it. */
  readonly max: number;
  encode(x: number): number;
  decode(code: number): number;
}

/**
 * MXINT8 element (OCP MX v1.0 §5.3.4): 8-bit two's complement with 6 fractional bits, value =
 * code * 2^-6, emax 0. Rounds half to even; saturates to ±127/64 (symmetric, as Microsoft's
 * microxcaling reference clamps to max_norm 1.984375), so code 0x80 (-2) is never produced.
 */
export const MXINT8_ELEMENT: MxElement = {
  bits: 8,
  emax: 0,
  max: 127 / 64,
  encode(x) {
    const k = Math.min(127, Math.max(-127, roundHalfEven(x * 64)));
    return k & 0xff;
  },
  decode: (code) => ((code << 24) >> 24) / 64,
};

/** The MX element types by name. */
export const MX_ELEMENTS = {
  mxfp8_e4m3: E4M3,
  mxfp8_e5m2: E5M2,
  mxfp6_e3m2: E3M2,
  mxfp6_e2m3: E2M3,
  mxfp4: E2M1,
  mxint8: MXINT8_ELEMENT,
} as const satisfies Record<string, MxElement>;

/**
 * Shared scale exponent of a block with absolute maximum `amax` (OCP MX v1.0 §6.3):
 * floor(log2(amax)) - emax_elem, clamped to E8M0's [-127, 127]. An all-zero block (amax 0, where
 * the spec's log2 is undefined) gets the smallest scale 2^-127 (code 0); its elements encode to 0.
 */
export function mxScaleExp(amax: number, element: MxElement): number {
  if (amax === 0) return E8M0.minExp;
  return Math.min(E8M0.maxExp, Math.max(E8M0.minExp, floorLog2(amax) - element.emax));
}

/** An MX-quantized tensor: packed element codes and one E8M0 scale code per group. */
export interface MxQuantized {
  readonly element: MxElement;
  readonly layout: GroupLayout;
  readonly n: number;
  readonly words: Uint32Array;
  /** E8M0 codes, one per group: scale = 2^(code - 127). */
  readonly scales: Uint8Array;
}

/**
 * Quantizes group by group (OCP MX uses groups of 32 along a row: `groupLayout(r, c, 'block', 32)`).
 * Elements are encode(x / 2^exp): the scale is rounded *down* to a power of two, so |x / X| can
 * reach 2^(emax+1) and values above the element max saturate. Inputs must be finite.
 * `options` (src/quant/formats/elementOptions.ts): a percentile clip caps each block's amax at the
 * tensor's p-th percentile of |x| before the exponent is taken (the rest saturate); stochastic
 * rounding puts x / 2^exp on the element grid by `stochasticOnGrid` (seeded by the element's index)
 * before the encode. Neither is in the OCP spec; both are common in MX training recipes.
 */
export function quantizeMx(x: Float32Array, layout: GroupLayout, element: MxElement, options?: ElementOptions): MxQuantized {
  assert(layout.lines * layout.lineLen === x.length, 'quantizeMx: layout does not match tensor size');
  const codes = new Uint8Array(x.length);
  const scales = new Uint8Array(layout.groupCount);
  const threshold = elementClipThreshold(x, options);
  const code = elementCoder(element, options);
  for (let g = 0; g < layout.groupCount; g++) {
    const idx = groupIndices(layout, g);
    let amax = 0;
    for (const i of idx) {
      assert(Number.isFinite(x[i]), `quantizeMx: non-finite input at ${i}`);
      amax = Math.max(amax, Math.abs(x[i]));
    }
    const exp = mxScaleExp(Math.min(amax, threshold), element);
    scales[g] = E8M0.encodeExp(exp);
    const scale = 2 ** exp;
    for (const i of idx) codes[i] = code(x[i] / scale, i); // exact: power-of-two scaling
  }
  return { element, layout, n: x.length, words: packCodes(codes, element.bits), scales };
}

/** Dequantizes: element value * 2^(scale code - 127), rounded to f32. */
export function dequantizeMx(q: MxQuantized): Float32Array {
  const out = new Float32Array(q.n);
  for (let i = 0; i < q.n; i++) {
    const scale = E8M0.decode(q.scales[groupOf(q.layout, i)]);
    out[i] = f32(q.element.decode(unpackCode(q.words, q.element.bits, i)) * scale);
  }
  return out;
}

/** Bits per weight: element bits plus an 8-bit E8M0 scale per group (MXFP4, block 32: 4.25). */
export function mxBitsPerWeight(element: MxElement, n: number, groupCount: number): number {
  return (n * element.bits + 8 * groupCount) / n;
}
