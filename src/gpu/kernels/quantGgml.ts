// gpu: ggml block formats on WebGPU: decode (shaders/ggml_decode.wgsl) and quantize (shaders/ggml_quant.wgsl, ggml_kquant.wgsl) of all seven — twin of src/quant/ggml.
import { assert } from '../../lib/assert';
import { GGML_FORMATS, type GgmlBlockType, ggmlRowBytes } from '../../quant/ggml';
import { grid2d } from '../dispatch';
import { encodePass, type GpuRuntime, storageUsage, uploadUniform } from '../runtime';

const DECODE_WG = 256;
const QUANT_WG = 64;

/** Entry point of ggml_decode.wgsl for each type (one thread per output element). */
const DECODE_ENTRY: Readonly<Record<GgmlBlockType, string>> = {
  Q8_0: 'dequant_q8_0', Q4_0: 'dequant_q4_0', Q4_1: 'dequant_q4_1', Q5_0: 'dequant_q5_0', Q5_1: 'dequant_q5_1',
  Q4_K: 'dequant_q4_k', Q6_K: 'dequant_q6_k',
};

/** Shader, entry point and super-blocks per workgroup (K-quants) or blocks per thread (legacy: a pair). */
const QUANT_ENTRY: Readonly<Record<GgmlBlockType, { shader: string; entry: string; perGroup: number }>> = {
  Q8_0: { shader: 'ggml_quant', entry: 'quant_q8_0', perGroup: 2 * QUANT_WG },
  Q4_0: { shader: 'ggml_quant', entry: 'quant_q4_0', perGroup: 2 * QUANT_WG },
  Q4_1: { shader: 'ggml_quant', entry: 'quant_q4_1', perGroup: 2 * QUANT_WG },
  Q5_0: { shader: 'ggml_quant', entry: 'quant_q5_0', perGroup: 2 * QUANT_WG },
  Q5_1: { shader: 'ggml_quant', entry: 'quant_q5_1', perGroup: 2 * QUANT_WG },
  // ggml_kquant.wgsl: 64 threads, one per sub-block: 8 Q4_K or 4 Q6_K super-blocks per workgroup.
  Q4_K: { shader: 'ggml_kquant', entry: 'quant_q4_k', perGroup: 8 },
  Q6_K: { shader: 'ggml_kquant', entry: 'quant_q6_k', perGroup: 4 },
};

/** Bytes of a [rows, cols] tensor of `type` (cols a multiple of the block size; throws otherwise). */
export function ggmlTensorBytes(type: GgmlBlockType, rows: number, cols: number): number {
  assert(Number.isInteger(rows) && rows > 0, `${type}: rows must be a positive integer, got ${rows}`);
  return rows * ggmlRowBytes(type, cols);
}

/**
 * ggml block bytes as the u32 words the kernels read: little-endian, zero-padded to a multiple of
 * 4 bytes (a GGUF tensor is rarely a multiple of 4 bytes: 18-byte Q4_0 blocks).
 */
export function ggmlBytesToWords(bytes: Uint8Array): Uint32Array {
  const words = new Uint32Array(Math.max(1, Math.ceil(bytes.length / 4)));
  new Uint8Array(words.buffer).set(bytes);
  return words;
}

/** A pooled storage buffer holding ggml block bytes (padded to whole words). */
export function uploadGgmlBytes(rt: GpuRuntime, bytes: Uint8Array, label: string): GPUBuffer {
  const words = ggmlBytesToWords(bytes);
  const buffer = rt.pool.acquire(words.byteLength, storageUsage(), label);
  rt.device.queue.writeBuffer(buffer, 0, words.buffer, 0, words.byteLength);
  return buffer;
}

/** Buffers of a decode job (pooled; release both after submit: the uniform must outlive the encoder). */
export interface GgmlDequantBuffers {
  readonly uniform: GPUBuffer;
  /** f32[rows * cols], row-major: dequantizeRow of each row, bit for bit. */
  readonly xhat: GPUBuffer;
}

/**
 * Encodes the dequantization of a [rows, cols] ggml tensor of `type` whose block bytes are in
 * `bytes` (u32 words, little-endian, e.g. from {@link uploadGgmlBytes} or a whole GGUF data
 * section) starting `byteOffset` bytes in (any offset: the kernel reads bytes, so no binding
 * alignment applies). The result equals `GGML_FORMATS[type].dequantizeRow` row by row, bit for bit
 * (NaN as 0x7fc00000). Nothing is read back.
 */
export function encodeGgmlDequant(
  rt: GpuRuntime, encoder: GPUCommandEncoder, bytes: GPUBuffer, type: GgmlBlockType, rows: number, cols: number,
  byteOffset = 0,
): GgmlDequantBuffers {
  const size = ggmlTensorBytes(type, rows, cols);
  assert(Number.isInteger(byteOffset) && byteOffset >= 0 && byteOffset + size <= bytes.size,
    `encodeGgmlDequant: ${type} [${rows}, ${cols}] needs ${size} bytes from offset ${byteOffset}; the buffer has ${bytes.size}`);
  const n = rows * cols;
  assert(n < 2 ** 32, 'encodeGgmlDequant: more than 2^32 elements');
  const uniform = uploadUniform(rt, [n, byteOffset], `ggml_decode.${type}.params`);
  const xhat = rt.pool.acquire(n * 4, storageUsage(), `ggml_decode.${type}.xhat`);
  const pipeline = rt.pipelines.get('ggml_decode', DECODE_ENTRY[type], { WG: DECODE_WG });
  encodePass(rt, encoder, pipeline, { 0: uniform, 1: bytes, 2: xhat }, grid2d(Math.ceil(n / DECODE_WG)));
  return { uniform, xhat };
}

/** Buffers of a quantize job (pooled; release both after submit). */
export interface GgmlQuantBuffers {
  readonly uniform: GPUBuffer;
  /** The tensor's block bytes as little-endian u32 words (the last word zero-padded); `byteLength` of them are meaningful. */
  readonly bytes: GPUBuffer;
  /** rows * ggml_row_size(type, cols). */
  readonly byteLength: number;
}

/**
 * Encodes the quantization of the row-major f32 [rows, cols] tensor in `x` to ggml `type` block
 * bytes, equal byte for byte to `GGML_FORMATS[type].quantizeRow` on each row (finite inputs; see
 * the caveats in shaders/ggml_quant.wgsl and, for Q4_K/Q6_K, shaders/ggml_kquant.wgsl: exact where
 * the adapter keeps f32 subnormals). Nothing is read back.
 */
export function encodeGgmlQuant(
  rt: GpuRuntime, encoder: GPUCommandEncoder, x: GPUBuffer, type: GgmlBlockType, rows: number, cols: number,
): GgmlQuantBuffers {
  const byteLength = ggmlTensorBytes(type, rows, cols);
  assert(x.size >= rows * cols * 4, `encodeGgmlQuant: x holds ${x.size} bytes, [${rows}, ${cols}] f32 needs ${rows * cols * 4}`);
  const nb = (rows * cols) / GGML_FORMATS[type].blockSize;
  const { shader, entry, perGroup } = QUANT_ENTRY[type];
  // [nb, 0]: ggml_kquant's second field is its always-zero `zero` (ggml_quant reads only nb).
  const uniform = uploadUniform(rt, [nb, 0], `${shader}.${type}.params`);
  const bytes = rt.pool.acquire(Math.ceil(byteLength / 4) * 4, storageUsage(), `${shader}.${type}.bytes`);
  const pipeline = rt.pipelines.get(shader, entry, shader === 'ggml_quant' ? { WG: QUANT_WG } : {});
  encodePass(rt, encoder, pipeline, { 0: uniform, 1: x, 2: bytes }, grid2d(Math.ceil(nb / perGroup)));
  return { uniform, bytes, byteLength };
}
