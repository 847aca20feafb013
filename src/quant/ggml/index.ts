// quant: the ggml block formats (llama.cpp Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q4_K, Q6_K) as one table: block size, bytes, bpw, row codecs.
import { QK8_0, Q8_0_BYTES, dequantizeRowQ8_0, quantizeRowQ8_0 } from './q8_0';
import { QK4, Q4_0_BYTES, Q4_1_BYTES, dequantizeRowQ4_0, dequantizeRowQ4_1, quantizeRowQ4_0, quantizeRowQ4_1 } from './q4';
import { QK5, Q5_0_BYTES, Q5_1_BYTES, dequantizeRowQ5_0, dequantizeRowQ5_1, quantizeRowQ5_0, quantizeRowQ5_1 } from './q5';
import { QK_K, Q4_K_BYTES, dequantizeRowQ4_K, quantizeRowQ4_K } from './q4_K';
import { Q6_K_BYTES, dequantizeRowQ6_K, quantizeRowQ6_K } from './q6_K';
import { blockCount } from './common';

export * from './q8_0';
export * from './q4';
export * from './q5';
export * from './q4_K';
export * from './q6_K';
export { fp16BitsToFp32, fp32ToFp16Bits, nearestInt } from './common';

/** ggml type names as GGUF spells them (`ggml_type` in ggml.h: Q4_0 = 2, Q4_1 = 3, Q5_0 = 6, Q5_1 = 7, Q8_0 = 8, Q4_K = 12, Q6_K = 14). */
export type GgmlBlockType = 'Q8_0' | 'Q4_0' | 'Q4_1' | 'Q5_0' | 'Q5_1' | 'Q4_K' | 'Q6_K';

/**
 * One ggml block format. Rows (the innermost dimension) must be a multiple of `blockSize`.
 * `quantizeRow` is the `quantize_row_*_ref` path, i.e. what `llama-quantize` / `ggml_quantize_chunk`
 * produce without an importance matrix (with an imatrix ggml runs `quantize_row_*_impl`, not
 * implemented here). Bit-exact with ggml's C reference built without fused multiply-add.
 */
export interface GgmlBlockFormat {
  readonly type: GgmlBlockType;
  /** `ggml_type` enum value (ggml.h), as stored in GGUF tensor infos. */
  readonly ggmlType: number;
  /** Elements per block (32, or 256 for the K-quant super-blocks). */
  readonly blockSize: number;
  /** Bytes per block, sizeof(block_*) in ggml-common.h. */
  readonly bytesPerBlock: number;
  /** bytesPerBlock * 8 / blockSize: every scale and min counted. */
  readonly bitsPerWeight: number;
  /** quantize_row_*_ref: a row (length a multiple of blockSize) to its exact block bytes. */
  readonly quantizeRow: (x: Float32Array) => Uint8Array;
  /** dequantize_row_*: the first n elements' blocks back to f32 (n a multiple of blockSize). */
  readonly dequantizeRow: (bytes: Uint8Array, n: number) => Float32Array;
}

const fmt = (type: GgmlBlockType, ggmlType: number, blockSize: number, bytesPerBlock: number,
  quantizeRow: GgmlBlockFormat['quantizeRow'], dequantizeRow: GgmlBlockFormat['dequantizeRow']): GgmlBlockFormat =>
  Object.freeze({ type, ggmlType, blockSize, bytesPerBlock, bitsPerWeight: (bytesPerBlock * 8) / blockSize, quantizeRow, dequantizeRow });

/** Every ggml block format we implement, frozen, keyed by its GGUF type name. */
export const GGML_FORMATS: Readonly<Record<GgmlBlockType, GgmlBlockFormat>> = Object.freeze({
  Q8_0: fmt('Q8_0', 8, QK8_0, Q8_0_BYTES, quantizeRowQ8_0, dequantizeRowQ8_0),
  Q4_0: fmt('Q4_0', 2, QK4, Q4_0_BYTES, quantizeRowQ4_0, dequantizeRowQ4_0),
  Q4_1: fmt('Q4_1', 3, QK4, Q4_1_BYTES, quantizeRowQ4_1, dequantizeRowQ4_1),
  Q5_0: fmt('Q5_0', 6, QK5, Q5_0_BYTES, quantizeRowQ5_0, dequantizeRowQ5_0),
  Q5_1: fmt('Q5_1', 7, QK5, Q5_1_BYTES, quantizeRowQ5_1, dequantizeRowQ5_1),
  Q4_K: fmt('Q4_K', 12, QK_K, Q4_K_BYTES, quantizeRowQ4_K, dequantizeRowQ4_K),
  Q6_K: fmt('Q6_K', 14, QK_K, Q6_K_BYTES, quantizeRowQ6_K, dequantizeRowQ6_K),
});

/** Bytes of one row of n elements (ggml_row_size); throws when n is not a multiple of the block size. */
export function ggmlRowBytes(type: GgmlBlockType, n: number): number {
  const f = GGML_FORMATS[type];
  return blockCount(n, f.blockSize, type) * f.bytesPerBlock;
}

/**
 * What a model computes with after ggml quantization of a row-major [rows, cols] tensor: each
 * row quantized on its own (as llama.cpp's `quantize_*` does per row), then dequantized.
 * cols must be a multiple of the block size.
 */
export function ggmlRoundTrip(type: GgmlBlockType, x: Float32Array, rows: number, cols: number): Float32Array {
  return ggmlDequantizeTensor(type, ggmlQuantizeTensor(type, x, rows, cols), rows, cols);
}

/** The block bytes of a row-major [rows, cols] tensor, row after row (as a GGUF tensor stores them). */
export function ggmlQuantizeTensor(type: GgmlBlockType, x: Float32Array, rows: number, cols: number): Uint8Array {
  if (rows * cols !== x.length) throw new Error(`${type}: shape [${rows}, ${cols}] does not match ${x.length} elements`);
  const f = GGML_FORMATS[type];
  const rowBytes = ggmlRowBytes(type, cols);
  const out = new Uint8Array(rows * rowBytes);
  for (let r = 0; r < rows; r++) out.set(f.quantizeRow(x.subarray(r * cols, (r + 1) * cols)), r * rowBytes);
  return out;
}

/** The f32 values of a tensor's block bytes, row after row. */
export function ggmlDequantizeTensor(type: GgmlBlockType, bytes: Uint8Array, rows: number, cols: number): Float32Array {
  const f = GGML_FORMATS[type];
  const rowBytes = ggmlRowBytes(type, cols);
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) out.set(f.dequantizeRow(bytes.subarray(r * rowBytes, (r + 1) * rowBytes), cols), r * cols);
  return out;
}
