// quant: two ternary trit-planes per group, W ≈ a1·T1 + a2·T2 (PTQTP), fitted by alternating minimisation, CPU reference.
import { assert } from '../../lib/assert';
import { divRn, f32 } from '../../lib/f32';
import { SCALE_BITS, type ScaleType, storeScale } from '../formats/absmax';
import { type GroupLayout, groupIndices, groupOf } from '../groups';
import { packCodes, unpackCode } from '../pack';
import { BITNET_EPS, type TritPacking, tritStorageBits, ternaryCode } from './ternary';

/** Iteration cap of the alternating fit (it usually stops earlier, when no trit changes). */
export const PTQTP_MAX_ITER = 50;

/** Lanes of {@link laneSumF32}: the threads of shaders/quant_ptqtp.wgsl's workgroup. */
export const PTQTP_LANES = 64;

/** Trit pairs tried per element, in tie order: the first pair with the least error wins. */
const PAIRS: readonly (readonly [number, number])[] = [0, -1, 1].flatMap((t1) => [0, -1, 1].map((t2) => [t1, t2] as const));

const SINGULAR = f32(1e-9);
const RIDGE = f32(1e-6);
const EPS = f32(BITNET_EPS);

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

/**
 * Σ v in f32 in a fixed order, the one the GPU's 64-thread workgroup uses: lane t adds v[t],
 * v[t + 64], v[t + 128], ... in turn, then lanes are combined pairwise (lane t += lane t + s for
 * s = 32, 16, ..., 1). Every addition is one f32 rounding, so CPU and GPU agree bit for bit.
 */
export function laneSumF32(v: ArrayLike<number>): number {
  const lane = new Float32Array(PTQTP_LANES);
  for (let i = 0; i < v.length; i++) lane[i % PTQTP_LANES] = f32(lane[i % PTQTP_LANES] + v[i]);
  for (let s = PTQTP_LANES / 2; s > 0; s >>= 1) for (let t = 0; t < s; t++) lane[t] = f32(lane[t] + lane[t + s]);
  return lane[0];
}

/** mean |v| = RN(laneSum(|v|) / m), 0 for an empty group. */
function laneMeanAbs(v: Float32Array): number {
  return v.length ? divRn(laneSumF32(v.map(Math.abs)), v.length) : 0;
}

/**
 * Least-squares (a1, a2) for fixed planes, in f32: the 2x2 normal equations with integer counts
 * p11 = #t1, p22 = #t2, p12 = Σ t1·t2 and q_k = laneSum(t_k·w); when det = f32(p11·p22) - f32(p12²)
 * is at most 1e-9·max(1, f32(p11·p22)) (an empty plane, or planes equal up to sign) a ridge
 * 1e-6·max(1, p11 + p22) is added to p11 and p22. a1 = RN((q1·p22 - q2·p12) / det), a2 likewise.
 */
function solveScales(w: Float32Array, t1: Int8Array, t2: Int8Array): [number, number] {
  let p11 = 0, p12 = 0, p22 = 0;
  for (let i = 0; i < w.length; i++) { p11 += t1[i] * t1[i]; p12 += t1[i] * t2[i]; p22 += t2[i] * t2[i]; }
  const q1 = laneSumF32(w.map((v, i) => t1[i] * v)), q2 = laneSumF32(w.map((v, i) => t2[i] * v));
  const prod = f32(p11 * p22);
  let det = f32(prod - f32(p12 * p12));
  if (det <= f32(SINGULAR * Math.max(1, prod))) {
    const r = f32(RIDGE * Math.max(1, p11 + p22));
    p11 = f32(p11 + r); p22 = f32(p22 + r);
    det = f32(f32(p11 * p22) - f32(p12 * p12));
  }
  return [divRn(f32(f32(q1 * p22) - f32(q2 * p12)), det), divRn(f32(f32(q2 * p11) - f32(q1 * p12)), det)];
}

/** For fixed scales, each element's best pair among the 9 by |f32(w - value)|; returns whether any trit changed. */
function assignTrits(w: Float32Array, a1: number, a2: number, t1: Int8Array, t2: Int8Array): boolean {
  let changed = false;
  for (let i = 0; i < w.length; i++) {
    let best = 0, bestErr = Infinity;
    PAIRS.forEach(([u1, u2], k) => {
      const e = Math.abs(f32(w[i] - planeValue(a1, a2, u1, u2)));
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
 *  1. T1 = absmean ternary of W (BitNet's rule with γ = max(laneMean|W|, 1e-5)); a1 = laneSum(T1·W) / #T1;
 *     T2 = absmean ternary of the residual R = f32(W - a1·T1);
 *  2. repeat: (a1, a2) = least squares for the fixed planes ({@link solveScales}); each element
 *     takes the best of the 9 trit pairs for those scales (ties: the pair listed first, zeros
 *     first); stop when no trit changes or after {@link PTQTP_MAX_ITER};
 *  3. round (a1, a2) to `scaleType` and reassign trits once more with the stored scales, in f32 as
 *     the dequantizer computes, so what is stored is what was optimised.
 * Every step is f32 with one rounding per operation and sums in {@link laneSumF32}'s order, so
 * shaders/quant_ptqtp.wgsl reproduces it bit for bit. Up to that rounding each step never increases
 * the squared error, so the result is no worse than single-plane absmean ternary on the same groups.
 */
export function quantizePtqtp(x: Float32Array, layout: GroupLayout, scaleType: ScaleType = 'fp32'): PtqtpQuantized {
  assert(layout.lines * layout.lineLen === x.length, 'quantizePtqtp: layout does not match tensor size');
  assert(layout.groupSize < 2 ** 24, 'quantizePtqtp: groups must be shorter than 2^24 elements (counts are exact f32 integers)');
  const c1 = new Uint8Array(x.length), c2 = new Uint8Array(x.length);
  const scales = new Float32Array(2 * layout.groupCount);
  const iterations = new Uint16Array(layout.groupCount);
  for (let g = 0; g < layout.groupCount; g++) {
    const idx = groupIndices(layout, g);
    const w = Float32Array.from(idx, (i) => x[i]);
    const m = w.length;
    const t1 = new Int8Array(m), t2 = new Int8Array(m);
    const inv1 = divRn(1, Math.max(laneMeanAbs(w), EPS));
    let n1 = 0;
    for (let i = 0; i < m; i++) { t1[i] = ternaryCode(w[i], inv1); n1 += t1[i] * t1[i]; }
    let a1 = n1 ? divRn(laneSumF32(w.map((v, i) => t1[i] * v)), n1) : 0;
    const r = w.map((v, i) => f32(v - a1 * t1[i])); // a1·t1 is exact
    const inv2 = divRn(1, Math.max(laneMeanAbs(r), EPS));
    for (let i = 0; i < m; i++) t2[i] = ternaryCode(r[i], inv2);
    let a2: number, it = 0;
    do {
      [a1, a2] = solveScales(w, t1, t2);
      it++;
    } while (assignTrits(w, a1, a2, t1, t2) && it < PTQTP_MAX_ITER);
    [a1, a2] = solveScales(w, t1, t2);
    a1 = storeScale(a1, scaleType); a2 = storeScale(a2, scaleType);
    assignTrits(w, a1, a2, t1, t2);
    scales[2 * g] = a1; scales[2 * g + 1] = a2; iterations[g] = it;
    idx.forEach((i, k) => { c1[i] = t1[k] + 1; c2[i] = t2[k] + 1; });
  }
  return { layout, n: x.length, plane1: packCodes(c1, 2), plane2: packCodes(c2, 2), scaleType, scales, iterations };
}

/** The values a group with scales (a1, a2) can represent, ascending: the 9 trit pairs' plane values. */
export function ptqtpLevels(a1: number, a2: number): number[] {
  const values = PAIRS.map(([t1, t2]) => planeValue(a1, a2, t1, t2));
  return [...new Set(values)].sort((u, v) => u - v);
}

/** Each group's reach |a1| + |a2| (about its largest |value|) from scales laid out as quantizePtqtp's. */
export function ptqtpReach(scales: Float32Array): Float32Array {
  return Float32Array.from({ length: scales.length / 2 }, (_, g) => Math.abs(scales[2 * g]) + Math.abs(scales[2 * g + 1]));
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
