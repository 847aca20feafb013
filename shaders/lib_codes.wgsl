// lib_codes: a kernel's own packed code stream (src/quant/pack.ts layout, lib_pack): the word an
// `encode` thread writes and the code a `decode` thread reads. Included with `//! include lib_codes`
// (brings lib_pack); needs in the including kernel: override BITS (code bits), the uniform field
// p.n (number of codes), the storage array `words: array<u32>`, and `fn element_code(i: u32) -> u32`
// (the code of element i).
//! include lib_pack

// Word w of the stream: the codes of every element with bits in it, ORed together (packCodes).
fn packed_word(w: u32) -> u32 {
  let first_bit = w * 32u;
  let last = min((first_bit + 31u) / BITS, p.n - 1u);
  var word = 0u;
  for (var i = first_bit / BITS; i <= last; i++) {
    word |= code_into_word(element_code(i), i, BITS, w);
  }
  return word;
}

// Code i read back from `words` (unpackCode); the next word is read only when the code straddles it.
fn packed_code(i: u32) -> u32 {
  let bit = i * BITS;
  let w = bit >> 5u;
  let shift = bit & 31u;
  var hi = 0u;
  if (shift + BITS > 32u) { hi = words[w + 1u]; }
  return code_from_words(words[w], hi, shift, BITS);
}
