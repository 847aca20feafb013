// quant: how a row-major [rows, cols] tensor is cut into quantization groups (one scale each).

/** Which elements share a scale. `block` groups run along a row (the input dimension). */
export type GroupKind = 'tensor' | 'row' | 'column' | 'block';

/**
 * A tensor seen as `lines` lines of `lineLen` elements, each line cut into groups of
 * `groupSize` (the last group of a line is a shorter tail when groupSize does not divide it).
 * `contiguous`: a line is a run of memory (tensor, row, block); otherwise a line is a column
 * (element k of line l sits at k * lines + l).
 */
export interface GroupLayout {
  readonly contiguous: boolean;
  readonly lines: number;
  readonly lineLen: number;
  readonly groupSize: number;
  readonly groupsPerLine: number;
  readonly groupCount: number;
}

/** Builds the layout; a block size larger than the row is clamped to the row. */
export function groupLayout(rows: number, cols: number, kind: GroupKind, blockSize = cols): GroupLayout {
  const make = (contiguous: boolean, lines: number, lineLen: number, groupSize: number): GroupLayout => {
    const groupsPerLine = Math.ceil(lineLen / groupSize);
    return { contiguous, lines, lineLen, groupSize, groupsPerLine, groupCount: lines * groupsPerLine };
  };
  switch (kind) {
    case 'tensor': return make(true, 1, rows * cols, rows * cols);
    case 'row': return make(true, rows, cols, cols);
    case 'column': return make(false, cols, rows, rows);
    case 'block': return make(true, rows, cols, Math.min(Math.max(1, blockSize), cols));
  }
}

/** Group id of the element at row-major memory index `i`. */
export function groupOf(layout: GroupLayout, i: number): number {
  const line = layout.contiguous ? Math.floor(i / layout.lineLen) : i % layout.lines;
  const pos = layout.contiguous ? i % layout.lineLen : Math.floor(i / layout.lines);
  return line * layout.groupsPerLine + Math.floor(pos / layout.groupSize);
}

/** Memory indices of the elements of group `g`, in the order they appear along the line. */
export function groupIndices(layout: GroupLayout, g: number): number[] {
  const line = Math.floor(g / layout.groupsPerLine);
  const start = (g % layout.groupsPerLine) * layout.groupSize;
  const end = Math.min(start + layout.groupSize, layout.lineLen);
  const out: number[] = [];
  for (let pos = start; pos < end; pos++) {
    out.push(layout.contiguous ? line * layout.lineLen + pos : pos * layout.lines + line);
  }
  return out;
}

/** Largest |x[i]| over the indices `idx` (0 for an empty list): the absmax every absmax-scaled format starts from. */
export function absMaxOf(x: Float32Array, idx: readonly number[]): number {
  let amax = 0;
  for (const i of idx) amax = Math.max(amax, Math.abs(x[i]));
  return amax;
}
