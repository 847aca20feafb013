// lib_groups: where a line's elements and a group's members sit in the flat tensor. Twin of groupOf in
// src/quant/groups.ts. Included with `//! include lib_groups`; needs the including kernel's uniform
// `p` with the fields contiguous (1: lines are rows, 0: lines are columns), lines, line_len,
// group_size and groups_per_line (u32 each).

// Flat index of element `pos` of line `line`.
fn element_index(line: u32, pos: u32) -> u32 {
  if (p.contiguous == 1u) { return line * p.line_len + pos; }
  return pos * p.lines + line;
}

// Group of the element at flat index i: groups of group_size consecutive elements along each line.
fn group_of(i: u32) -> u32 {
  var line = i % p.lines;
  var pos = i / p.lines;
  if (p.contiguous == 1u) {
    line = i / p.line_len;
    pos = i % p.line_len;
  }
  return line * p.groups_per_line + pos / p.group_size;
}
