// quant: options of the scaled element formats (FP8/FP6/FP4 with an absmax scale, MX): seeded stochastic rounding onto the element grid and a percentile clip.
import { assert } from '../../lib/assert';
import { hash2 } from '../../lib/hash';
import { percentileAbs } from '../clip';
import type { FpFormat } from './fp';
import type { MxElement } from './mx';

/** How a scaled value is put on the element grid: round to nearest even (the format's encode), or seeded stochastic rounding. */
export type ElementRounding = 'nearest' | 'stochastic';

/** Clipping before the scale is chosen: none, or every group's absmax capped at the p-th percentile of |x| (per tensor). */
export type ElementClip = { readonly kind: 'none' } | { readonly kind: 'percentile'; readonly p: number };

/** Rounding and clipping of a scaled element format; every field optional (nearest, seed 0, no clip). */
export interface ElementOptions {
  readonly rounding?: ElementRounding;
  /** u32 seed of stochastic rounding (the counter is the element's row-major index). */
  readonly seed?: number;
  readonly clip?: ElementClip;
}

/**
 * Where an element grid steps: the representable magnitudes near |y| are multiples of the quantum
 * 2^(max(floor(log2 |y|), emin) - m). FP ExMy: m mantissa bits, emin = 1 - bias (the subnormals
 * continue the smallest binade's quantum). MXINT8 (fixed point, 6 fraction bits) is m = 6, emin = 0.
 */
export interface ElementGrid {
  readonly m: number;
  readonly emin: number;
}

/** The grid of an element format: an FpFormat's from its spec; the one MX element without one is MXINT8. */
export function elementGrid(element: MxElement | FpFormat): ElementGrid {
  if (!('spec' in element)) {
    assert(element.bits === 8 && element.emax === 0, 'elementGrid: an element without an ExMy spec must be MXINT8');
    return { m: 6, emin: 0 };
  }
  return { m: element.spec.m, emin: 1 - element.spec.bias };
}

/** floor(log2(a)) exactly, for a > 0. */
export function floorLog2(a: number): number {
  let e = Math.floor(Math.log2(a));
  while (2 ** e > a) e--;
  while (2 ** (e + 1) <= a) e++;
  return e;
}

const TWO24 = 2 ** 24;

/**
 * Stochastic rounding of a finite y onto the element grid, between the two representable
 * neighbours lo <= |y| <= hi (the binade's quantum q, so hi = lo + q): with t = |y| / q and
 * k = hash2(seed, i) >> 8 (24 uniform bits, src/lib/hash.ts), |y| rounds up iff
 * k + floor(frac(t)·2^24) >= 2^24, i.e. with probability floor(frac(t)·2^24)/2^24 — the
 * distance to lo in units of q, to 2^-24: E[result] = y up to that. Exact integer arithmetic (no
 * f32 rounding of t + u), so the WGSL twin (`stochastic_bits`, shaders/quant_table.wgsl) gets the
 * same value. Values beyond the element's max come back on the grid above it; the format's
 * saturating encode then clamps them. The sign is kept; ±0 stays.
 */
export function stochasticOnGrid(y: number, grid: ElementGrid, seed: number, i: number): number {
  if (y === 0) return y;
  const a = Math.abs(y);
  const q = 2 ** (Math.max(floorLog2(a), grid.emin) - grid.m);
  const t = a / q, low = Math.floor(t); // exact: q is a power of two
  const frac24 = Math.floor((t - low) * TWO24);
  const up = (hash2(seed, i) >>> 8) + frac24 >= TWO24 ? 1 : 0;
  const r = (low + up) * q;
  return y < 0 ? -r : r;
}

/** The per-tensor threshold of a percentile clip (what the GPU kernel receives), or Infinity without one. */
export function elementClipThreshold(x: Float32Array, options: ElementOptions | undefined): number {
  return options?.clip?.kind === 'percentile' ? percentileAbs(x, options.clip.p) : Infinity;
}

/**
 * An element code from the scaled value y of element i: `element.encode(y)`, or with stochastic
 * rounding `element.encode(stochasticOnGrid(y, ...))`.
 */
export function elementCoder(element: MxElement | FpFormat, options: ElementOptions | undefined): (y: number, i: number) => number {
  if (options?.rounding !== 'stochastic') return (y) => element.encode(y);
  const grid = elementGrid(element), seed = options.seed ?? 0;
  return (y, i) => element.encode(stochasticOnGrid(y, grid, seed, i));
}
