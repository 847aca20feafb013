// lib_hash: counter-based u32 hash and uniform [0, 1) numbers. Twin of src/lib/hash.ts, bit for bit
// (lowbias32 by Chris Wellons, Hash Prospector 2020). Included with `//! include lib_hash`.

fn lowbias32(x: u32) -> u32 {
  var h = x;
  h ^= h >> 16u;
  h *= 0x7feb352du;
  h ^= h >> 15u;
  h *= 0x846ca68bu;
  h ^= h >> 16u;
  return h;
}

// hash2(seed, counter) = lowbias32(counter ^ lowbias32(seed)).
fn hash2(seed: u32, counter: u32) -> u32 {
  return lowbias32(counter ^ lowbias32(seed));
}

// (hash >> 8) * 2^-24: a multiple of 2^-24 in [0, 1), exact in f32.
fn uniform01(seed: u32, counter: u32) -> f32 {
  return f32(hash2(seed, counter) >> 8u) * 5.9604644775390625e-8;
}
