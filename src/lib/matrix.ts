// lib: dependency-free helpers on row-major matrices stored in typed arrays.

/** [rows, cols] row-major → [cols, rows] row-major (a new array). */
export function transpose(x: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = x[r * cols + c];
  return out;
}
