// tests: OCP FP8/FP6/FP4 element formats (src/quant/formats/fp.ts): every special value by hand, RNE ties, properties.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { BF16, E2M1, E2M3, E3M2, E4M3, E5M2, E8M0, FP16, type FpFormat } from '../../src/quant/formats/fp';

const ALL: Record<string, FpFormat> = { E4M3, E5M2, E3M2, E2M3, E2M1 };

describe('E4M3 (OCP OFP8)', () => {
  test('specials and extremes', () => {
    expect(E4M3.max).toBe(448);
    expect(E4M3.encode(448)).toBe(0x7e);
    expect(E4M3.decode(0x7e)).toBe(448);
    expect(E4M3.decode(0xfe)).toBe(-448);
    expect(E4M3.decode(0x7f)).toBeNaN();
    expect(E4M3.decode(0xff)).toBeNaN();
    expect(E4M3.nanCode).toBe(0x7f);
    expect(E4M3.infCode).toBeNull();
    expect(E4M3.decode(0x78)).toBe(256); // S.1111.000 is an ordinary value, not inf
    expect(E4M3.minNormal).toBe(2 ** -6);
    expect(E4M3.decode(0x08)).toBe(2 ** -6);
    expect(E4M3.minSubnormal).toBe(2 ** -9);
    expect(E4M3.decode(0x01)).toBe(2 ** -9);
    expect(E4M3.decode(0x07)).toBe(7 * 2 ** -9);
    expect(E4M3.decode(0x00)).toBe(0);
    expect(Object.is(E4M3.decode(0x80), -0)).toBe(true);
    expect(E4M3.emax).toBe(8);
    expect(E4M3.values.length).toBe(253); // 126 positive, 126 negative, one zero
  });
  test('saturation, NaN, zero sign', () => {
    expect(E4M3.encode(464)).toBe(0x7e); // halfway to the NaN pattern's 480: saturates
    expect(E4M3.encode(1e9)).toBe(0x7e);
    expect(E4M3.encode(Infinity)).toBe(0x7e);
    expect(E4M3.encode(-Infinity)).toBe(0xfe);
    expect(E4M3.encode(NaN)).toBe(0x7f);
    expect(E4M3.encode(-0)).toBe(0x80);
    expect(E4M3.encode(-(2 ** -11))).toBe(0x80); // rounds to -0
  });
  test('RNE ties including subnormals', () => {
    expect(E4M3.round(2 ** -10)).toBe(0); // half of the min subnormal: tie to even (0)
    expect(E4M3.round(3 * 2 ** -10)).toBe(2 * 2 ** -9); // 1.5 quanta -> 2
    expect(E4M3.round(5 * 2 ** -10)).toBe(2 * 2 ** -9); // 2.5 quanta -> 2
    expect(E4M3.round(15 * 2 ** -10)).toBe(2 ** -6); // 7.5 quanta -> 8 = min normal
    expect(E4M3.round(1.0625)).toBe(1); // between 1 and 1.125
    expect(E4M3.round(1.1875)).toBe(1.25);
    expect(E4M3.round(1.0625000001)).toBe(1.125);
  });
});

describe('E5M2 (OCP OFP8)', () => {
  test('specials and extremes', () => {
    expect(E5M2.max).toBe(57344);
    expect(E5M2.encode(57344)).toBe(0x7b);
    expect(E5M2.infCode).toBe(0x7c);
    expect(E5M2.decode(0x7c)).toBe(Infinity);
    expect(E5M2.decode(0xfc)).toBe(-Infinity);
    for (const c of [0x7d, 0x7e, 0x7f, 0xfd, 0xfe, 0xff]) expect(E5M2.decode(c)).toBeNaN();
    expect(E5M2.minNormal).toBe(2 ** -14);
    expect(E5M2.minSubnormal).toBe(2 ** -16);
    expect(E5M2.decode(0x01)).toBe(2 ** -16);
    expect(E5M2.emax).toBe(15);
    expect(E5M2.encode(Infinity)).toBe(0x7b); // saturating
    expect(E5M2.encode(61440)).toBe(0x7b);
    expect(E5M2.encode(NaN)).toBe(0x7d);
    expect(E5M2.round(2 ** -17)).toBe(0);
    expect(E5M2.round(3 * 2 ** -17)).toBe(2 * 2 ** -16);
  });
});

describe('OCP MX FP6 / FP4 (no inf, no NaN)', () => {
  test('E3M2', () => {
    expect(E3M2.max).toBe(28);
    expect(E3M2.encode(28)).toBe(0x1f);
    expect(E3M2.minNormal).toBe(0.25);
    expect(E3M2.minSubnormal).toBe(0.0625);
    expect(E3M2.emax).toBe(4);
    expect(E3M2.nanCode).toBeNull();
    expect(E3M2.infCode).toBeNull();
    expect(E3M2.decode(0x3f)).toBe(-28);
    expect(() => E3M2.encode(NaN)).toThrow();
  });
  test('E2M3', () => {
    expect(E2M3.max).toBe(7.5);
    expect(E2M3.encode(7.5)).toBe(0x1f);
    expect(E2M3.minNormal).toBe(1);
    expect(E2M3.minSubnormal).toBe(0.125);
    expect(E2M3.emax).toBe(2);
    expect(E2M3.nanCode).toBeNull();
  });
  test('E2M1 full table', () => {
    const table = [0, 0.5, 1, 1.5, 2, 3, 4, 6];
    for (let c = 0; c < 8; c++) {
      expect(E2M1.decode(c)).toBe(table[c]);
      expect(E2M1.decode(c + 8)).toBe(-table[c]);
    }
    expect(E2M1.values).toEqual([-6, -4, -3, -2, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2, 3, 4, 6]);
    expect(E2M1.emax).toBe(2);
    expect(E2M1.minSubnormal).toBe(0.5);
  });
  test('E2M1 RNE ties', () => {
    expect(E2M1.round(2.5)).toBe(2);
    expect(E2M1.round(3.5)).toBe(4);
    expect(E2M1.round(5)).toBe(4);
    expect(E2M1.round(0.25)).toBe(0);
    expect(E2M1.round(0.75)).toBe(1);
    expect(E2M1.round(1.25)).toBe(1);
    expect(E2M1.round(1.75)).toBe(2);
    expect(E2M1.round(-2.5)).toBe(-2);
    expect(E2M1.round(7)).toBe(6);
    expect(E2M1.round(100)).toBe(6);
  });
});

describe('scale formats', () => {
  test('fp16, bf16 and E8M0', () => {
    expect(FP16.max).toBe(65504);
    expect(FP16.minSubnormal).toBe(2 ** -24);
    expect(BF16.max).toBe(Math.fround(3.3895313892515355e38));
    expect(BF16.round(1 + 2 ** -8)).toBe(1); // tie to even
    expect(E8M0.decode(127)).toBe(1);
    expect(E8M0.decode(0)).toBe(2 ** -127);
    expect(E8M0.decode(254)).toBe(2 ** 127);
    expect(E8M0.decode(255)).toBeNaN();
    expect(E8M0.encodeExp(-200)).toBe(0);
  });
});

describe('properties of every element format', () => {
  for (const [name, f] of Object.entries(ALL)) {
    test(`${name}: decode(encode(v)) === v for every value, and -0`, () => {
      for (const v of f.values) expect(f.decode(f.encode(v))).toBe(v);
      expect(Object.is(f.round(-0), -0)).toBe(true);
    });
    const x = fc.double({ min: -2 * f.max, max: 2 * f.max, noNaN: true });
    test(`${name}: monotonic`, () => {
      fc.assert(fc.property(x, x, (a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        return f.round(lo) <= f.round(hi);
      }), { seed: 3, numRuns: 3000 });
    });
    test(`${name}: nearest level within range, saturation outside`, () => {
      fc.assert(fc.property(x, (v) => {
        const r = f.round(v);
        if (Math.abs(v) >= f.max) return r === Math.sign(v) * f.max;
        const k = f.values.findIndex((w) => w >= v); // neighbours of v on the grid
        const below = f.values[Math.max(0, k - 1)], above = f.values[k];
        return Math.abs(v - r) <= (above - below) / 2 && (r === below || r === above);
      }), { seed: 4, numRuns: 3000 });
    });
  }
});
