// tests (lib layer): f32 helpers — WGSL-style round half to even, subnormal flush, correctly rounded division.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bitsF32, divRn, f32, f32Bits, F32_MIN_NORMAL, flushSubnormal, roundHalfEven } from '../../src/lib/f32';

/** Independent ties-to-even reference built from floor (not from Math.round). */
function refRoundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f; // exact for |x| < 2^52
  if (d < 0.5) return f;
  if (d > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

/** fc.float bounds must be f32 values; these cover the normal f32 range without infinities. */
const F32_MAX = f32(3.4028234663852886e38);
const normalF32 = fc.float({ min: -F32_MAX, max: F32_MAX, noNaN: true, noDefaultInfinity: true })
  .filter((v) => Math.abs(v) >= F32_MIN_NORMAL);

describe('constants', () => {
  it('F32_MIN_NORMAL is 2^-126 and f32 is Math.fround', () => {
    expect(F32_MIN_NORMAL).toBe(2 ** -126);
    expect(f32(0.1)).toBe(13421773 / 2 ** 27); // hand: 0.1 * 2^27 = 13421772.8 -> 13421773
  });
});

describe('roundHalfEven', () => {
  it('sends ties to the even neighbour, like WGSL round()', () => {
    // Math.round would give 1, 2, 3, 4 here: every positive even tie differs.
    expect(roundHalfEven(0.5)).toBe(0);
    expect(roundHalfEven(1.5)).toBe(2);
    expect(roundHalfEven(2.5)).toBe(2);
    expect(roundHalfEven(3.5)).toBe(4);
    expect(roundHalfEven(-1.5)).toBe(-2);
    expect(roundHalfEven(-2.5)).toBe(-2);
    expect(roundHalfEven(-3.5)).toBe(-4);
    expect(roundHalfEven(126.5)).toBe(126);
    expect(roundHalfEven(-127.5)).toBe(-128);
  });
  it('keeps the sign of zero (IEEE roundToIntegralTiesToEven: round(-0.5) is -0)', () => {
    expect(Object.is(roundHalfEven(-0.5), -0)).toBe(true);
    expect(Object.is(roundHalfEven(0.5), 0)).toBe(true);
    expect(Object.is(roundHalfEven(-0.25), -0)).toBe(true);
    expect(Object.is(roundHalfEven(-0), -0)).toBe(true);
  });
  it('rounds non-ties to nearest, including the neighbours of 0.5', () => {
    expect(roundHalfEven(0.49999999999999994)).toBe(0); // largest double below 0.5
    expect(roundHalfEven(0.5000000000000001)).toBe(1);
    expect(roundHalfEven(-0.5000000000000001)).toBe(-1);
    expect(roundHalfEven(2.4)).toBe(2);
    expect(roundHalfEven(2.6)).toBe(3);
    expect(roundHalfEven(-2.6)).toBe(-3);
    expect(roundHalfEven(7)).toBe(7);
    // 2^52 - 0.5 is a tie between 2^52 - 1 (odd) and 2^52 (even).
    expect(roundHalfEven(4503599627370495.5)).toBe(4503599627370496);
    expect(roundHalfEven(4503599627370494.5)).toBe(4503599627370494);
  });
  it('matches an independent floor-based ties-to-even reference on random f32 and on exact ties', () => {
    const value = fc.oneof(
      fc.float({ min: -1e6, max: 1e6, noNaN: true }),
      fc.integer({ min: -1_000_000, max: 1_000_000 }).map((k) => k + 0.5), // exact ties
    );
    fc.assert(
      fc.property(value, (x) => {
        const r = roundHalfEven(x);
        expect(r === refRoundHalfEven(x)).toBe(true); // === so -0 and 0 compare equal here
        expect(Math.abs(r - x)).toBeLessThanOrEqual(0.5);
      }),
      { seed: 42, numRuns: 2000 },
    );
  });
});

describe('flushSubnormal', () => {
  it('flushes subnormals to a zero of the same sign and keeps normals', () => {
    expect(Object.is(flushSubnormal(1e-40), 0)).toBe(true);
    expect(Object.is(flushSubnormal(-1e-40), -0)).toBe(true);
    expect(Object.is(flushSubnormal(2 ** -149), 0)).toBe(true); // smallest f32 subnormal
    expect(Object.is(flushSubnormal(-(2 ** -149)), -0)).toBe(true);
    expect(Object.is(flushSubnormal(-0), -0)).toBe(true);
    expect(Object.is(flushSubnormal(0), 0)).toBe(true);
    expect(flushSubnormal(F32_MIN_NORMAL)).toBe(F32_MIN_NORMAL);
    expect(flushSubnormal(-F32_MIN_NORMAL)).toBe(-F32_MIN_NORMAL);
    expect(flushSubnormal(1.5)).toBe(1.5);
    expect(flushSubnormal(-Infinity)).toBe(-Infinity);
  });
});

describe('divRn', () => {
  it('gives the correctly rounded f32 quotient on hand-checked cases', () => {
    // 1/3 = 2^-2 * 1.0101...b; the 23 fraction bits 0101...010 are followed by 1010... > half, so
    // the last bit rounds up: 2^-2 * (2^23 + 0x2AAAAB) / 2^23 = 11184811 / 2^25.
    expect(divRn(1, 3)).toBe(11184811 / 2 ** 25);
    expect(divRn(7, 7)).toBe(1);
    expect(divRn(-6, 3)).toBe(-2);
    // f32(0.1) = 13421773 / 2^27 = 0.100000001490116...; 1 / that = 9.99999985098839...
    // f32 spacing in [8, 16) is 2^-20 = 9.5e-7, and 10 is 1.5e-7 away: rounds to 10.
    expect(divRn(1, f32(0.1))).toBe(10);
    // 7/3 = 2.3333333...: f32 neighbours in [2, 4) are k / 2^22; 7/3 * 2^22 = 9786709.33 -> 9786709.
    expect(divRn(7, 3)).toBe(9786709 / 2 ** 22);
  });
  it('differs from multiplying by a rounded reciprocal (so it really divides)', () => {
    // 7 * f32(1/3) = 7 * 11184811 / 2^25 = 78293677 / 2^25 = 9786709.625 / 2^22 -> 9786710 / 2^22.
    expect(f32(7 * divRn(1, 3))).toBe(9786710 / 2 ** 22);
    expect(divRn(7, 3)).not.toBe(f32(7 * divRn(1, 3)));
  });
  it('flushes subnormal quotients to zero with the sign of a/b', () => {
    expect(Object.is(divRn(F32_MIN_NORMAL, 2), 0)).toBe(true); // 2^-127 is subnormal
    expect(Object.is(divRn(-F32_MIN_NORMAL, 2), -0)).toBe(true);
    expect(Object.is(divRn(F32_MIN_NORMAL, -4), -0)).toBe(true);
    expect(Object.is(divRn(-(2 ** -100), -(2 ** 30)), 0)).toBe(true); // 2^-130
    expect(divRn(2 ** -125, 2)).toBe(2 ** -126); // lands exactly on the smallest normal: kept
    expect(Object.is(divRn(-0, 5), -0)).toBe(true);
  });
  it('overflows to a signed infinity like IEEE f32', () => {
    expect(divRn(F32_MAX, 0.5)).toBe(Infinity);
    expect(divRn(-1, 0)).toBe(-Infinity);
  });
  it('equals Math.fround(a / b) for random normal f32 a, b, except subnormal results flush to ±0', () => {
    fc.assert(
      fc.property(normalF32, normalF32, (a, b) => {
        const got = divRn(a, b);
        const rounded = Math.fround(a / b);
        if (rounded !== 0 && Math.abs(rounded) < F32_MIN_NORMAL) {
          expect(Object.is(got, (a < 0) !== (b < 0) ? -0 : 0)).toBe(true);
        } else if (rounded === 0) {
          expect(got === 0).toBe(true); // underflow past the subnormals (=== ignores the sign)
          expect(Object.is(got, -0)).toBe((a < 0) !== (b < 0));
        } else {
          expect(got).toBe(rounded);
        }
      }),
      { seed: 42, numRuns: 5000 },
    );
  });
  it('quotients of f32 values near 1 round to nearest: |got - a/b| <= half an f32 ulp', () => {
    // Exercises the rounding itself (not only equality with fround): the f32 grid in [2^e, 2^(e+1))
    // has spacing 2^(e-23); a correctly rounded result is within half of that of the exact quotient.
    const near1 = fc.float({ min: f32(0.5), max: f32(2), noNaN: true });
    fc.assert(
      fc.property(near1, near1, (a, b) => {
        const got = divRn(a, b);
        const e = Math.floor(Math.log2(got));
        expect(Math.abs(got - a / b)).toBeLessThanOrEqual(2 ** (e - 24));
      }),
      { seed: 7, numRuns: 2000 },
    );
  });
});

describe('f32Bits / bitsF32', () => {
  it('give the IEEE binary32 patterns (worked by hand from sign | exponent + 127 | mantissa)', () => {
    expect(f32Bits(1)).toBe(0x3f800000);
    expect(f32Bits(-2)).toBe(0xc0000000);
    expect(f32Bits(-0)).toBe(0x80000000);
    expect(f32Bits(0.1)).toBe(0x3dcccccd); // 0.1 rounds to 13421773 * 2^-27: mantissa 0x4ccccd
    expect(f32Bits(Infinity)).toBe(0x7f800000);
    expect(bitsF32(1)).toBe(2 ** -149); // smallest subnormal
    expect(bitsF32(0x00800000)).toBe(F32_MIN_NORMAL);
    expect(bitsF32(0xff800000)).toBe(-Infinity);
    expect(bitsF32(0x7fc00000)).toBeNaN();
    expect(Object.is(bitsF32(-0x80000000), -0)).toBe(true); // taken modulo 2^32
  });
  it('round-trip every f32 value and every non-NaN bit pattern', () => {
    fc.assert(fc.property(fc.float({ noNaN: true }), (v) => { expect(bitsF32(f32Bits(v))).toBe(v); }), { seed: 3, numRuns: 2000 });
    const notNan = fc.nat({ max: 0xffffffff }).filter((b) => (b & 0x7fffffff) <= 0x7f800000);
    fc.assert(fc.property(notNan, (b) => { expect(f32Bits(bitsF32(b))).toBe(b); }), { seed: 4, numRuns: 2000 });
  });
});
