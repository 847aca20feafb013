// lib_pack: reading b-bit codes (1..8) from the packed u32 bit stream. Twin of unpackCode in
// src/quant/pack.ts: code i occupies stream bits [i*b, i*b+b), little-endian within each word.
// Included by kernels with `//! include lib_pack`.

// Code starting at bit `shift` of word `lo`, continuing into `hi` when it straddles words.
fn code_from_words(lo: u32, hi: u32, shift: u32, bits: u32) -> u32 {
  var v = lo >> shift;
  if (shift + bits > 32u) { v |= hi << (32u - shift); }
  return v & ((1u << bits) - 1u);
}

// The bits of code i (starting at stream bit i*bits) that fall in word w: OR these into the word.
fn code_into_word(code: u32, i: u32, bits: u32, w: u32) -> u32 {
  let bit = i * bits;
  let first = w * 32u;
  if (bit < first) { return code >> (first - bit); }
  return code << (bit - first);
}
