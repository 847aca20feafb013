// quant: ternary absmean weights (BitNet b1.58), 2-bit or 5-trits-per-byte storage, CPU reference.
import { assert } from '../../lib/assert';
import { divRn, f32, roundHalfEven } from '../../lib/f32';
import { SCALE_BITS, type ScaleType, storeScale } from '../formats/absmax';
import { type GroupLayout, groupIndices, groupOf } from '../groups';
import { packCodes, unpackCode } from '../pack';
import { meanAbs } from './binary';

/**
 * Epsilon of the absmean scale. The paper (Ma et al., "The Era of 1-bit LLMs: All Large Language
 * Models are in 1.58 Bits", arXiv:2402.17764, eq. 1) writes W/(gamma + eps) without a value; the
 * authors' released recipe (microsoft/unilm bitnet "Training Tips, Code and FAQ", `weight_quant`)
 * uses `1 / w.abs().mean().clamp_(min=1e-5)`. We follow the code: gamma = max(mean|W|, 1e-5).
 */
export const BITNET_EPS = 1e-5;

/** Information content of a trit, log2 3 ≈ 1.585 bits: the "1.58" in the name, not what storage costs. */
export const TRIT_BITS = Math.log2(3);

/** How trits are stored: '2bit' (code t + 1 in our u32 packer) or 'base3' (5 trits per byte, 1.6 bits). */
export type TritPacking = '2bit' | 'base3';

/** A ternary tensor: codes t + 1 in {0, 1, 2} (2 bits each) and gamma per group. */
export interface TernaryQuantized {
  readonly layout: GroupLayout;
  readonly n: number;
  readonly words: Uint32Array;
  readonly scaleType: ScaleType;
  readonly scales: Float32Array;
}

/** RoundClip(x·inv, -1, 1) of BitNet b1.58 eq. 1-2, with round half to even (torch.round). */
export function ternaryCode(x: number, inv: number): number {
  return Math.max(-1, Math.min(1, roundHalfEven(f32(x * inv))));
}

/**
 * BitNet b1.58 absmean (eq. 1-3): gamma = max(mean|W|, {@link BITNET_EPS}) per group (per tensor
 * with `groupLayout(rows, cols, 'tensor')`, the paper's choice), stored in `scaleType`;
 * t = RoundClip(f32(W · f32(1/gamma)), -1, 1) (1/gamma then a product, as the released code does).
 * Value = f32(t · gamma).
 */
export function quantizeTernary(x: Float32Array, layout: GroupLayout, scaleType: ScaleType = 'fp32'): TernaryQuantized {
  assert(layout.lines * layout.lineLen === x.length, 'quantizeTernary: layout does not match tensor size');
  const codes = new Uint8Array(x.length);
  const scales = new Float32Array(layout.groupCount);
  for (let g = 0; g < layout.groupCount; g++) {
    const idx = groupIndices(layout, g);
    scales[g] = storeScale(Math.max(meanAbs(x, idx), f32(BITNET_EPS)), scaleType);
    const inv = divRn(1, scales[g]);
    for (const i of idx) codes[i] = ternaryCode(x[i], inv) + 1;
  }
  return { layout, n: x.length, words: packCodes(codes, 2), scaleType, scales };
}

/** Dequantizes: f32(t · gamma). */
export function dequantizeTernary(q: TernaryQuantized): Float32Array {
  const out = new Float32Array(q.n);
  for (let i = 0; i < q.n; i++) out[i] = f32((unpackCode(q.words, 2, i) - 1) * q.scales[groupOf(q.layout, i)]);
  return out;
}

/**
 * 5 trits per byte: byte = Σ (t_j + 1)·3^j for j = 0..4 (<= 242), the last byte padded with t = 0.
 * 3^5 = 243 <= 256, so 1.6 bits per trit (log2 3 would need arithmetic coding over the whole tensor).
 */
export function packTrits5(codes: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(Math.ceil(codes.length / 5));
  for (let b = 0; b < out.length; b++) {
    let v = 0;
    for (let j = 4; j >= 0; j--) {
      const c = 5 * b + j < codes.length ? codes[5 * b + j] : 1;
      assert(c === 0 || c === 1 || c === 2, `packTrits5: code ${c} is not a trit code`);
      v = v * 3 + c;
    }
    out[b] = v;
  }
  return out;
}

/** Unpacks `n` trit codes (t + 1) from {@link packTrits5} bytes. */
export function unpackTrits5(bytes: Uint8Array, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(bytes[Math.floor(i / 5)] / 3 ** (i % 5)) % 3;
  return out;
}

/** Bits to store n trits: 2n ('2bit', what `quantizeTernary` stores) or 8·ceil(n/5) ('base3'). */
export function tritStorageBits(n: number, packing: TritPacking): number {
  return packing === '2bit' ? 2 * n : 8 * Math.ceil(n / 5);
}

/** Bits per weight: trit storage + one gamma per group (per tensor, 2-bit, fp32: 2 + 32/n). */
export function ternaryBitsPerWeight(packing: TritPacking, scaleType: ScaleType, n: number, groupCount: number): number {
  return (tritStorageBits(n, packing) + SCALE_BITS[scaleType] * groupCount) / n;
}
