// lib: counter-based u32 hashing for reproducible random numbers (twin of shaders/lib_hash.wgsl, bit for bit).

/**
 * lowbias32 (Chris Wellons, "Hash Prospector", 2020: the 2-round xorshift-multiply hash with the
 * lowest measured bias, constants 0x7feb352d and 0x846ca68b). A bijection on u32; only u32 shifts,
 * xors and wrapping multiplies, so WGSL computes the same bits.
 */
export function lowbias32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d) >>> 0;
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Hash of (seed, counter): lowbias32(counter XOR lowbias32(seed)). Counter-based (no state), so
 * element i gets the same number wherever and in whatever order it is computed.
 */
export function hash2(seed: number, counter: number): number {
  return lowbias32((counter ^ lowbias32(seed)) >>> 0);
}

/**
 * A uniform number in [0, 1) on the grid k * 2^-24 (k < 2^24), from the top 24 bits of
 * {@link hash2}: exactly representable in f32, so the WGSL twin `uniform01` gives the same value.
 */
export function uniform01(seed: number, counter: number): number {
  return (hash2(seed, counter) >>> 8) * 2 ** -24;
}
