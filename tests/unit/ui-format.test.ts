// tests (ui layer): number formatting with meaning-sized precision.
import { describe, expect, it } from 'vitest';
import { formatBits, formatBytes, formatCosine, formatCount, formatDb, formatFixed, formatMs, formatShort, formatSig } from '../../src/ui/format';

describe('formatSig', () => {
  it('uses plain notation for everyday magnitudes', () => {
    expect(formatSig(0.0123456)).toBe('0.0123');
    expect(formatSig(1.23456)).toBe('1.23');
    expect(formatSig(123.456)).toBe('123');
    expect(formatSig(0.00123456)).toBe('0.00123');
    expect(formatSig(-0.5)).toBe('−0.500');
    expect(formatSig(0.05)).toBe('0.0500');
  });
  it('uses powers of ten for tiny and huge numbers', () => {
    expect(formatSig(1.23456e-5)).toBe('1.23 × 10⁻⁵');
    expect(formatSig(-4.5e-7)).toBe('−4.50 × 10⁻⁷');
    expect(formatSig(123456)).toBe('1.23 × 10⁵');
    expect(formatSig(9.996e-5)).toBe('1.00 × 10⁻⁴');
  });
  it('handles zero and non-finite values', () => {
    expect(formatSig(0)).toBe('0');
    expect(formatSig(Infinity)).toBe('∞');
    expect(formatSig(NaN)).toBe('—');
  });
});

describe('formatShort', () => {
  it('drops trailing zeros, also before a power of ten', () => {
    expect(formatShort(-0.5)).toBe('−0.5');
    expect(formatShort(0.25)).toBe('0.25');
    expect(formatShort(120)).toBe('120');
    expect(formatShort(2e-5)).toBe('2 × 10⁻⁵');
    expect(formatShort(0.012345678)).toBe('0.01235');
  });
});

describe('other formats', () => {
  it('SQNR has one decimal in dB', () => {
    expect(formatDb(19.8765)).toBe('19.9 dB');
    expect(formatDb(-3.04)).toBe('−3.0 dB');
    expect(formatDb(Infinity)).toBe('∞ dB');
  });
  it('bits per weight have three decimals', () => expect(formatBits(4.5)).toBe('4.500'));
  it('sizes are in B, KB or MB', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(589824)).toBe('590 KB');
    expect(formatBytes(999_600)).toBe('1 MB');
    expect(formatBytes(4_194_304)).toBe('4.19 MB');
  });
  it('counts and durations read naturally', () => {
    expect(formatCount(1048576)).toBe('1,048,576');
    expect(formatMs(4.25)).toBe('4.3 ms');
    expect(formatMs(42.4)).toBe('42 ms');
    expect(formatMs(1250)).toBe('1.3 s');
  });
});

describe('formatCosine', () => {
  it('six decimals: 8-bit-like similarities stay distinguishable', () => {
    expect(formatCosine(0.9999823)).toBe('0.999982');
    expect(formatCosine(0.984402)).toBe('0.984402');
    expect(formatCosine(-0.25)).toBe('−0.250000');
    expect(formatCosine(NaN)).toBe('—');
  });
});

describe('formatFixed', () => {
  it('fixed decimals with a real minus, optional plus for an excess', () => {
    expect(formatFixed(3.0049)).toBe('3.00');
    expect(formatFixed(60.694)).toBe('60.69');
    expect(formatFixed(1.8 - 3, 2, true)).toBe('−1.20');
    expect(formatFixed(57.694, 2, true)).toBe('+57.69');
    expect(formatFixed(-0.001, 2, true)).toBe('+0.00'); // no "−0.00"
    expect(formatFixed(NaN)).toBe('—');
  });
});
