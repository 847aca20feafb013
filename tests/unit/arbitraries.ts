// tests: fast-check arbitraries shared by the quantizer property tests.
import fc from 'fast-check';
import { f32 } from '../../src/lib/f32';
import { createRng } from '../../src/lib/rng';
import type { GroupKind } from '../../src/quant/groups';

/**
 * Two kinds of tensors: fast-check floats (every sign and magnitude up to 1e3, biased towards edge
 * values such as 0, -0 and powers of two) and seeded dense draws (offset uniform noise at a random
 * magnitude: full-precision significands, so x * inv lands near ties now and then). Values below
 * 1e-30 become 0 so no group is so small that its scale flushes to zero as a subnormal (then x̂ = 0,
 * a documented GPU-style flush, not a rounding property).
 */
export const valuesArb = (n: number) => fc.oneof(
  fc.array(fc.float({ min: f32(-1000), max: f32(1000), noNaN: true }), { minLength: n, maxLength: n })
    .map((vs) => Float32Array.from(vs, (v) => (Math.abs(v) < 1e-30 ? 0 : v))),
  fc.record({ seed: fc.nat(), logMag: fc.double({ min: -20, max: 10, noNaN: true }), offset: fc.double({ min: -1, max: 1, noNaN: true }) })
    .map(({ seed, logMag, offset }) => {
      const rand = createRng(seed);
      return Float32Array.from({ length: n }, () => f32((rand() * 2 - 1 + offset) * 2 ** logMag));
    }),
);

/** A small grouped matrix: its shape and groupLayout arguments. */
export interface LayoutCase { rows: number; cols: number; kind: GroupKind; blockSize: number }

/**
 * Fields for fc.record drawing a {@link LayoutCase}: 1..8 rows, 1..24 columns, every group kind,
 * blocks of 1..30 (per-element groups and tail groups included). Spread them first, so records that
 * add fields keep drawing the same shapes.
 */
export const layoutFields = {
  rows: fc.integer({ min: 1, max: 8 }),
  cols: fc.integer({ min: 1, max: 24 }),
  kind: fc.constantFrom<GroupKind>('tensor', 'row', 'column', 'block'),
  blockSize: fc.integer({ min: 1, max: 30 }),
};

/** Each drawn case with a rows x cols tensor from {@link valuesArb} attached as `x`. */
export function withValues<C extends LayoutCase>(cases: fc.Arbitrary<C>): fc.Arbitrary<C & { x: Float32Array }> {
  return cases.chain((c) => valuesArb(c.rows * c.cols).map((x) => ({ ...c, x })));
}
