// quant: two ternary trit-planes per group, W ≈ a1·T1 + a2·T2 (PTQTP), fitted by alternating minimisation, CPU reference.
import { assert } from '../../lib/assert';
import { f32 } from '../../lib/f32';
import { SCALE_BITS, type ScaleType, storeScale } from '../formats/absmax';
import { type GroupLayout, groupIndices, groupOf } from '../groups';
import { packCodes, unpackCode } from '../pack';
import { meanAbs } from './binary';
import { BITNET_EPS, type TritPacking, tritStorageBits, ternaryCode } from './ternary';

/** Iteration cap of the alternating fit (it usually stops earlier, when no trit changes). */
export const PTQTP_MAX_ITER = 50;

/** Trit pairs tried per element, in tie order: the first pair with the least error wins. */
const PAIRS: readonly (readonly [number, number])[] = [0, -1, 1].flatMap((t1) => [0, -1, 1].map((t2) => [t1, t2] as const));

/** A two-plane tensor: plane codes t + 1 (2 bits each, two packed streams) and (a1, a2) per group. */
export interface PtqtpQuantized {
  readonly layout: GroupLayout;
  readonly n: number;
  readonly plane1: Uint32Array;
  readonly plane2: Uint32Array;
  readonly scaleType: ScaleType;
  /** a1 of group g at 2g, a2 at 2g + 1 (stored values). */
  readonly scales: Float32Array;
  /** Alternating iterations each group ran. */
  readonly iterations: Uint16Array;
}

/** Value of a trit pair: f32(f32(a1·t1) + f32(a2·t2)), the order the dequantizer uses. */
export function planeValue(a1: number, a2: number, t1: number, t2: number): number {
  return f32(f32(a1 * t1) + f32(a2 * t2));
}

/** Least-squares (a1, a2) for fixed planes: the 2x2 normal equations, a tiny ridge when singular. */
function solveScales(w: readonly number[], t1: Int8Array, t2: Int8Array): [number, number] {
  let p11 = 0, p12 = 0, p22 = 0, q1 = 0, q2 = 0;
  for (let i = 0; i < w.length; i++) {
    p11 += t1[i] * t1[i]; p12 += t1[i] * t2[i]; p22 += t2[i] * t2[i];
    q1 += t1[i] * w[i]; q2 += t2[i] * w[i];
  }
  let det = p11 * p22 - p12 * p12;
  if (det <= 1e-9 * Math.max(1, p11 * p22)) { // a plane is empty or the planes are parallel
    const r = 1e-6 * Math.max(1, p11 + p22);
    p11 += r; p22 += r; det = p11 * p22 - p12 * p12;
  }
  return [(q1 * p22 - q2 * p12) / det, (q2 * p11 - q1 * p12) / det];
}

/** For fixed scales, each element's best pair among the 9; returns whether any trit changed. */
function assignTrits(w: readonly number[], a1: number, a2: number, t1: Int8Array, t2: Int8Array): boolean {
  let changed = false;
  for (let i = 0; i < w.length; i++) {
    let best = 0, bestErr = Infinity;
    PAIRS.forEach(([u1, u2], k) => {
      const e = Math.abs(w[i] - planeValue(a1, a2, u1, u2));
      if (e < bestErr) { bestErr = e; best = k; }
    });
    const [u1, u2] = PAIRS[best];
    if (u1 !== t1[i] || u2 !== t2[i]) { changed = true; t1[i] = u1; t2[i] = u2; }
  }
  return changed;
}

/**
 * PTQTP, after Xiao et al., "PTQTP: Post-Training Quantization to Trit-Planes for Large Language
 * Models" (arXiv:2509.16989, 2025): per group, W ≈ a1·T1 + a2·T2 with T1, T2 in {-1, 0, 1}.
 * Our algorithm (the paper's progressive approximation as we read it; data-free, no calibration):
 *  1. T1 = BitNet absmean ternary of W; T2 = absmean ternary of the residual W - a1·T1 (a1 least squares);
 *  2. repeat: (a1, a2) = least squares for the fixed planes (2x2 normal equations; a 1e-6 ridge
 *     only when singular); each element takes the best of the 9 trit pairs for those scales
 *     (ties: the pair listed first, zeros first); stop when no trit changes or after {@link PTQTP_MAX_ITER};
 *  3. round (a1, a2) to `scaleType` and reassign trits once more with the stored scales, in f32 as
 *     the dequantizer computes, so what is stored is what was optimised.
 * Each step never increases the squared error, and step 1 already matches or beats single-plane
 * ternary, so the result is never worse than BitNet's absmean on the same groups (up to scale rounding).
 */
export function quantizePtqtp(x: Float32Array, layout: GroupLayout, scaleType: ScaleType = 'fp32'): PtqtpQuantized {
  assert(layout.lines * layout.lineLen === x.length, 'quantizePtqtp: layout does not match tensor size');
  const c1 = new Uint8Array(x.length), c2 = new Uint8Array(x.length);
  const scales = new Float32Array(2 * layout.groupCount);
  const iterations = new Uint16Array(layout.groupCount);
  for (let g = 0; g < layout.groupCount; g++) {
    const idx = groupIndices(layout, g);
    const w = idx.map((i) => x[i]);
    const m = w.length;
    const t1 = new Int8Array(m), t2 = new Int8Array(m);
    const inv1 = 1 / Math.max(meanAbs(x, idx), f32(BITNET_EPS));
    for (let i = 0; i < m; i++) t1[i] = ternaryCode(w[i], inv1);
    let a1 = solveScales(w, t1, new Int8Array(m))[0];
    const r = w.map((v, i) => v - a1 * t1[i]);
    const inv2 = 1 / Math.max(r.reduce((s, v) => s + Math.abs(v), 0) / Math.max(1, m), BITNET_EPS);
    for (let i = 0; i < m; i++) t2[i] = ternaryCode(r[i], inv2);
    let a2: number, it = 0;
    do {
      [a1, a2] = solveScales(w, t1, t2);
      it++;
    } while (assignTrits(w, a1, a2, t1, t2) && it < PTQTP_MAX_ITER);
    [a1, a2] = solveScales(w, t1, t2);
    a1 = storeScale(f32(a1), scaleType); a2 = storeScale(f32(a2), scaleType);
    assignTrits(w, a1, a2, t1, t2);
    scales[2 * g] = a1; scales[2 * g + 1] = a2; iterations[g] = it;
    idx.forEach((i, k) => { c1[i] = t1[k] + 1; c2[i] = t2[k] + 1; });
  }
  return { layout, n: x.length, plane1: packCodes(c1, 2), plane2: packCodes(c2, 2), scaleType, scales, iterations };
}

/** Dequantizes: f32(f32(a1·t1) + f32(a2·t2)). */
export function dequantizePtqtp(q: PtqtpQuantized): Float32Array {
  const out = new Float32Array(q.n);
  for (let i = 0; i < q.n; i++) {
    const g = groupOf(q.layout, i);
    out[i] = planeValue(q.scales[2 * g], q.scales[2 * g + 1], unpackCode(q.plane1, 2, i) - 1, unpackCode(q.plane2, 2, i) - 1);
  }
  return out;
}

/** Bits per weight: two trit-planes + two scales per group ('2bit', fp16, group 128: 4 + 32/128 = 4.25). */
export function ptqtpBitsPerWeight(packing: TritPacking, scaleType: ScaleType, n: number, groupCount: number): number {
  return (2 * tritStorageBits(n, packing) + 2 * SCALE_BITS[scaleType] * groupCount) / n;
}
