// quant: packing of b-bit codes (1..8) into u32 words; the WGSL twin lives in shaders/lib_pack.wgsl.
import { assert } from '../lib/assert';

/**
 * Layout: one little-endian bit stream. Code i occupies stream bits [i*b, i*b + b); stream bit k
 * is bit (k mod 32) of word floor(k / 32). Codes of 3, 5, 6, 7 bits may straddle two words.
 * Words needed: ceil(n * b / 32).
 */
export function packedWordCount(n: number, bits: number): number {
  return Math.ceil((n * bits) / 32);
}

/** Packs unsigned codes (each < 2^bits) into u32 words. */
export function packCodes(codes: ArrayLike<number>, bits: number): Uint32Array {
  assert(bits >= 1 && bits <= 8, `packCodes: bits must be 1..8, got ${bits}`);
  const words = new Uint32Array(packedWordCount(codes.length, bits));
  for (let i = 0; i < codes.length; i++) {
    const code = codes[i];
    assert(Number.isInteger(code) && code >= 0 && code < 1 << bits, `packCodes: code ${code} at ${i} does not fit ${bits} bits`);
    const bit = i * bits;
    const w = bit >>> 5, shift = bit & 31;
    words[w] |= code << shift;
    if (shift + bits > 32) words[w + 1] |= code >>> (32 - shift);
  }
  return words;
}

/** Reads code `i` back from packed words. */
export function unpackCode(words: Uint32Array, bits: number, i: number): number {
  const bit = i * bits;
  const w = bit >>> 5, shift = bit & 31;
  let v = words[w] >>> shift;
  if (shift + bits > 32) v |= words[w + 1] << (32 - shift);
  return v & ((1 << bits) - 1);
}

/** Unpacks `n` codes. */
export function unpackCodes(words: Uint32Array, bits: number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = unpackCode(words, bits, i);
  return out;
}
