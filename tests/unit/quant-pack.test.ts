// tests (quant layer): b-bit code packing into u32 words — hand-built word images, straddles, round trips.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { packCodes, packedWordCount, unpackCode, unpackCodes } from '../../src/quant/pack';

/** Independent oracle of the documented layout: one little-endian bit stream built with BigInt. */
function oracleWords(codes: number[], bits: number): number[] {
  let stream = 0n;
  codes.forEach((c, i) => { stream |= BigInt(c) << BigInt(i * bits); });
  const words: number[] = [];
  for (let w = 0; w < Math.ceil((codes.length * bits) / 32); w++) words.push(Number((stream >> BigInt(32 * w)) & 0xffffffffn));
  return words;
}

describe('packCodes word images (hand-built)', () => {
  it('3-bit: eleven codes, code 10 straddles bits 30..32', () => {
    // Code i sits at bits 3i..3i+2. Written from bit 31 down: code 10's low two bits, then codes 9..0:
    //   11 | 010 001 000 111 110 101 100 011 010 001  = 1101 0001 0001 1111 0101 1000 1101 0001 = 0xD11F58D1
    // Code 10 = 3 = 0b011: its top bit (0) is bit 0 of word 1.
    expect(Array.from(packCodes([1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3], 3))).toEqual([0xd11f58d1, 0]);
    // Same but code 10 = 7 = 0b111: word 0 is unchanged, the straddling top bit sets word 1 to 1.
    expect(Array.from(packCodes([1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 7], 3))).toEqual([0xd11f58d1, 1]);
  });
  it('5-bit: code 6 straddles bits 30..34', () => {
    // 1 | 2<<5 | 3<<10 | 4<<15 | 5<<20 | 6<<25 = 0x1 + 0x40 + 0xC00 + 0x20000 + 0x500000 + 0xC000000;
    // code 6 = 22 = 0b10110: low bits 0b10 at 30..31 add 0x80000000 -> 0x8C520C41; high bits 0b101 = 5.
    expect(Array.from(packCodes([1, 2, 3, 4, 5, 6, 22], 5))).toEqual([0x8c520c41, 5]);
  });
  it('6-bit: code 5 straddles bits 30..35', () => {
    // 1 | 2<<6 | 3<<12 | 4<<18 | 5<<24 = 0x1 + 0x80 + 0x3000 + 0x100000 + 0x5000000;
    // code 5 = 45 = 0b101101: low bits 0b01 at 30..31 add 0x40000000 -> 0x45103081; high bits 0b1011 = 0xB.
    expect(Array.from(packCodes([1, 2, 3, 4, 5, 45], 6))).toEqual([0x45103081, 0xb]);
  });
  it('7-bit: code 4 straddles bits 28..34', () => {
    // 0x55 = 0b1010101: low nibble 0b0101 at bits 28..31 -> 0x50000000, high bits 0b101 = 5 in word 1.
    expect(Array.from(packCodes([0, 0, 0, 0, 0x55], 7))).toEqual([0x50000000, 5]);
  });
  it('8-bit: little-endian bytes', () => {
    expect(Array.from(packCodes([0x12, 0x34, 0x56, 0x78, 0x9a], 8))).toEqual([0x78563412, 0x9a]);
    expect(Array.from(packCodes([0xff, 0xff, 0xff, 0xff], 8))).toEqual([0xffffffff]); // top bit set, still unsigned
  });
  it('1-, 2- and 4-bit: codes fill words from bit 0 up', () => {
    expect(Array.from(packCodes([1, 0, 1, 1], 1))).toEqual([0b1101]);
    expect(Array.from(packCodes(new Array<number>(33).fill(1), 1))).toEqual([0xffffffff, 1]);
    expect(Array.from(packCodes([3, 2, 1, 0], 2))).toEqual([0b00011011]); // 3 | 2<<2 | 1<<4
    expect(Array.from(packCodes([0xa, 0xb, 0xc, 0xd, 0xe, 0xf, 0x1, 0x2, 0x3], 4))).toEqual([0x21fedcba, 3]);
  });
  it('unpackCode reads straddling codes back', () => {
    const words = packCodes([1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 7], 3);
    expect(unpackCode(words, 3, 10)).toBe(7);
    expect(unpackCode(packCodes([1, 2, 3, 4, 5, 45], 6), 6, 5)).toBe(45);
    expect(unpackCode(packCodes([0, 0, 0, 0, 0x55], 7), 7, 4)).toBe(0x55);
  });
});

describe('packedWordCount', () => {
  it('is ceil(n * bits / 32)', () => {
    expect(packedWordCount(0, 4)).toBe(0);
    expect(packedWordCount(8, 4)).toBe(1); // 32 bits exactly
    expect(packedWordCount(9, 4)).toBe(2);
    expect(packedWordCount(11, 3)).toBe(2); // 33 bits
    expect(packedWordCount(32, 1)).toBe(1);
    expect(packedWordCount(1024 * 1024, 3)).toBe(98304); // 3 Mi bits / 32
  });
});

describe('packCodes rejects what does not fit', () => {
  it('throws on a code >= 2^bits or < 0, and on bits outside 1..8', () => {
    expect(() => packCodes([8], 3)).toThrow(/does not fit 3 bits/);
    expect(() => packCodes([0, 256], 8)).toThrow(/code 256 at 1/);
    expect(() => packCodes([-1], 4)).toThrow(/does not fit/);
    expect(() => packCodes([0], 0)).toThrow(/bits must be 1..8/);
    expect(() => packCodes([0], 9)).toThrow(/bits must be 1..8/);
  });
});

describe('pack/unpack properties', () => {
  const input = fc.integer({ min: 1, max: 8 }).chain((bits) =>
    fc.tuple(fc.constant(bits), fc.array(fc.integer({ min: 0, max: (1 << bits) - 1 }), { maxLength: 130 })));

  it('round-trips for bits 1..8 and any length, matching the bit-stream oracle word for word', () => {
    fc.assert(
      fc.property(input, ([bits, codes]) => {
        const words = packCodes(codes, bits);
        expect(words.length).toBe(packedWordCount(codes.length, bits));
        expect(Array.from(words)).toEqual(oracleWords(codes, bits)); // also: unused tail bits are 0
        expect(Array.from(unpackCodes(words, bits, codes.length))).toEqual(codes);
        codes.forEach((c, i) => expect(unpackCode(words, bits, i)).toBe(c));
      }),
      { seed: 42, numRuns: 500 },
    );
  });
});
