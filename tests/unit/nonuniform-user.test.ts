// tests (quant layer): user-typed codebooks (src/quant/nonuniform/userCodebook.ts): parsing errors, goldens, ties, bits.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { f32 } from '../../src/lib/f32';
import { groupLayout } from '../../src/quant/groups';
import { unpackCodes } from '../../src/quant/pack';
import {
  dequantizeUserCodebook, parseCodebook, quantizeUserCodebook, userBitsPerWeight, userCodeBits, userCodebook,
} from '../../src/quant/nonuniform/userCodebook';

const errorOf = (text: string): string => { const r = parseCodebook(text); return r.ok ? '' : r.error; };

describe('parseCodebook', () => {
  test('separators, brackets, a trailing comma; sorted ascending, rounded to f32', () => {
    expect(parseCodebook('-1, -0.5, 0, 0.5, 1')).toEqual({ ok: true, levels: [-1, -0.5, 0, 0.5, 1] });
    expect(parseCodebook(' [ 3; 1  2e0, .5 -0.1, ] ')).toEqual({ ok: true, levels: [f32(-0.1), 0.5, 1, 2, 3] });
  });
  test('clear errors', () => {
    expect(errorOf('')).toMatch(/empty/);
    expect(errorOf('  [ ] ')).toMatch(/empty/);
    expect(errorOf('1,,2')).toBe('Entry 2 is empty (two separators in a row?).');
    expect(errorOf('1, abc')).toBe('Entry 2 ("abc") is not a number.');
    for (const bad of ['0x10', 'Infinity', 'NaN', '1/2', '--1']) expect(errorOf(`0, ${bad}`)).toMatch(/not a number/);
    expect(errorOf('0, 1e39')).toMatch(/too large/);
    expect(errorOf('0.5, 1, 0.5')).toBe('Entries 1 and 3 are the same level (0.5 = 0.5 as a 32-bit float).');
    expect(errorOf('0.1, 0.10000000001')).toMatch(/same level/); // equal after f32 rounding
    expect(errorOf('-0, 0')).toMatch(/same level/);
    expect(errorOf('7')).toMatch(/at least 2/);
    expect(errorOf(Array.from({ length: 257 }, (_, i) => i).join(','))).toBe('257 levels is too many: at most 256 (8-bit codes).');
    expect(parseCodebook(Array.from({ length: 256 }, (_, i) => i).join(',')).ok).toBe(true);
  });
});

describe('quantizeUserCodebook goldens', () => {
  test('absmax, 5 levels (3-bit codes): a value exactly halfway takes the lower level', () => {
    // absmax 2, u = x / 2 = [1, -0.5, 0.25, 0.245, 0.75, -1]; thresholds -0.75, -0.25, 0.25, 0.75.
    // 0.25 and 0.75 sit on thresholds -> lower codes 2 (level 0) and 3 (level 0.5).
    const x = Float32Array.from([2, -1, 0.5, 0.49, 1.5, -2]);
    const q = quantizeUserCodebook(x, groupLayout(1, 6, 'tensor'), [-1, -0.5, 0, 0.5, 1], 'absmax');
    expect(q.bits).toBe(3);
    expect([...unpackCodes(q.words, 3, 6)]).toEqual([4, 1, 2, 2, 3, 0]);
    expect([...dequantizeUserCodebook(q)]).toEqual([2, -1, 0, 0, 1, -2]);
    expect([...q.scales]).toEqual([2]);
  });
  test('absmax normalises by max |level|: levels -3, -1, 1, 3 become ±1/3, ±1', () => {
    const q = quantizeUserCodebook(Float32Array.from([6, 2, -2.1, 0.1]), groupLayout(1, 4, 'tensor'), [-3, -1, 1, 3], 'absmax');
    expect(q.levels).toEqual([-1, f32(-1 / 3), f32(1 / 3), 1]);
    expect([...dequantizeUserCodebook(q)]).toEqual([6, f32(f32(1 / 3) * 6), f32(f32(-1 / 3) * 6), f32(f32(1 / 3) * 6)]);
  });
  test('raw: levels are values, clamped at the ends', () => {
    // thresholds 0.5, 2: -5 -> 0; 0.5 (tie) -> 0; 2 (tie) -> 1; 2.1 -> 3; 100 -> 3.
    const q = quantizeUserCodebook(Float32Array.from([-5, 0.5, 2, 2.1, 100]), groupLayout(1, 5, 'tensor'), [0, 1, 3], 'raw');
    expect([...unpackCodes(q.words, 2, 5)]).toEqual([0, 0, 1, 2, 2]);
    expect([...dequantizeUserCodebook(q)]).toEqual([0, 0, 1, 3, 3]);
    expect(q.scales.length).toBe(0);
  });
  test('an all-zero group decodes to the level nearest 0 times 0', () => {
    const q = quantizeUserCodebook(new Float32Array(4), groupLayout(1, 4, 'tensor'), [-1, 1], 'absmax');
    expect([...dequantizeUserCodebook(q)].every((v) => v === 0)).toBe(true);
  });
  test('bits per weight counts codes, scales and the codebook', () => {
    expect(userCodeBits(2)).toBe(1);
    expect(userCodeBits(5)).toBe(3);
    expect(userCodeBits(256)).toBe(8);
    expect(userBitsPerWeight(5, 'absmax', 'fp16', 4096, 64)).toBe(3 + (64 * 16 + 5 * 32) / 4096);
    expect(userBitsPerWeight(16, 'raw', 'fp32', 1024, 16)).toBe(4 + (16 * 32) / 1024);
  });
});

describe('user codebook properties', () => {
  const levelsArb = fc.uniqueArray(fc.integer({ min: -1000, max: 1000 }), { minLength: 2, maxLength: 40 })
    .map((a) => a.map((v) => v / 64).sort((p, q) => p - q));
  test('codes in range, each level decodes to itself, monotone', () => {
    fc.assert(fc.property(levelsArb, fc.array(fc.double({ min: -20, max: 20, noNaN: true }), { minLength: 1, maxLength: 50 }), (levels, xs) => {
      const cb = userCodebook(levels, 'raw');
      levels.forEach((l) => expect(cb.decode(cb.encode(l))).toBe(l));
      const x = Float32Array.from(xs).sort();
      const q = quantizeUserCodebook(x, groupLayout(1, x.length, 'tensor'), levels, 'raw');
      expect(unpackCodes(q.words, q.bits, x.length).every((c) => c < levels.length)).toBe(true);
      const d = dequantizeUserCodebook(q);
      for (let i = 1; i < d.length; i++) expect(d[i]).toBeGreaterThanOrEqual(d[i - 1]);
      // nearest level: no other level is strictly closer (up to the f32 midpoint rounding)
      x.forEach((v, i) => levels.forEach((l) => expect(Math.abs(v - d[i])).toBeLessThanOrEqual(Math.abs(v - l) + 1e-6)));
    }), { seed: 256, numRuns: 200 });
  });
});
