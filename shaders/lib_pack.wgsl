// lib_pack: reading b-bit codes (1..8) from the packed u32 bit stream. Twin of unpackCode in
// src/quant/pack.ts: code i occupies stream bits [i*b, i*b+b), little-endian within each word.
// Included by kernels with `//! include lib_pack`.

// Code starting at bit `shift` of word `lo`, continuing into `hi` when it straddles words.
fn code_from_words(lo: u32, hi: u32, shift: u32, bits: u32) -> u32 {
  var v = lo >> shift;
  if (shift + bits > 32u) { v |= hi << (32u - shift); }
  return v & ((1u << bits) - 1u);
}
