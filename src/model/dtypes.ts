// model: stored tensor element types (safetensors dtypes and ggml blocks): byte sizes and exact decoding to f32.
import { E4M3, E5M2, FP16 } from '../quant/formats/fp';
import { GGML_FORMATS, type GgmlBlockType, ggmlDequantizeTensor, ggmlRowBytes } from '../quant/ggml';
import { ModelLoadError, type ByteSource, type TensorDType, type TensorEntry } from './types';

/** The dtypes stored one element after another (not in ggml blocks). */
export type ElementDType = Exclude<TensorDType, GgmlBlockType>;

/** Bytes per element of each element dtype (safetensors `Dtype::size`). */
export const ELEMENT_BYTES: Readonly<Record<ElementDType, number>> = Object.freeze({
  F64: 8, F32: 4, F16: 2, BF16: 2, F8_E4M3: 1, F8_E5M2: 1, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1,
});

/** True for the ggml block formats (Q8_0 ... Q6_K), whose rows are stored as blocks. */
export function isBlockDType(dtype: TensorDType): dtype is GgmlBlockType {
  return dtype in GGML_FORMATS;
}

/** Number of elements of a shape (1 for a scalar `[]`). */
export function elementCount(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}

/**
 * Bytes a tensor of this dtype and shape occupies. Element dtypes: elements * size. ggml block
 * dtypes: rows * ggml_row_size(last dim), the last (innermost) dimension being the blocked row and
 * rows the product of the outer dims; throws when the shape is a scalar or the row is not a whole
 * number of blocks.
 */
export function dtypeByteLength(dtype: TensorDType, shape: readonly number[]): number {
  if (!isBlockDType(dtype)) return elementCount(shape) * ELEMENT_BYTES[dtype];
  if (shape.length === 0) throw new Error(`${dtype}: a block-quantized tensor needs at least one dimension`);
  const cols = shape[shape.length - 1];
  return elementCount(shape.slice(0, -1)) * ggmlRowBytes(dtype, cols);
}

type ElementArray = Float64Array | Float32Array | Uint16Array | Int32Array | Int16Array | Int8Array | Uint8Array | BigInt64Array;
type ElementArrayClass<T extends ElementArray> = { new (buffer: ArrayBufferLike, byteOffset?: number, length?: number): T; readonly BYTES_PER_ELEMENT: number };

/**
 * A typed view of `bytes` (little-endian, as every browser and Node platform we target stores
 * typed arrays). Copies first when the offset is not a multiple of the element size, which typed
 * arrays cannot view.
 */
function view<T extends ElementArray>(Ctor: ElementArrayClass<T>, bytes: Uint8Array): T {
  const n = bytes.length / Ctor.BYTES_PER_ELEMENT;
  if (bytes.byteOffset % Ctor.BYTES_PER_ELEMENT === 0) return new Ctor(bytes.buffer, bytes.byteOffset, n);
  return new Ctor(bytes.slice().buffer, 0, n);
}

/** Lookup table code -> f32 value of a small float format, built on first use. */
function lazyTable(codes: number, decode: (code: number) => number): () => Float32Array {
  let table: Float32Array | null = null;
  return () => {
    if (!table) {
      table = new Float32Array(codes);
      for (let c = 0; c < codes; c++) table[c] = decode(c);
    }
    return table;
  };
}
// Every fp16 value is an f32 value, so the table is exact (NaNs become the f32 quiet NaN).
const fp16Table = lazyTable(1 << 16, FP16.decode);
// OCP OFP8 v1.0: E4M3 0x7F/0xFF are NaN, max 448; E5M2 is IEEE-like with ±inf at 0x7C/0xFC.
const e4m3Table = lazyTable(256, E4M3.decode);
const e5m2Table = lazyTable(256, E5M2.decode);

function fromTable(codes: Uint8Array | Uint16Array, table: Float32Array): Float32Array {
  const out = new Float32Array(codes.length);
  for (let i = 0; i < codes.length; i++) out[i] = table[codes[i]];
  return out;
}

const TWO_53 = 2n ** 53n;

/**
 * The f32 nearest to a 64-bit integer (ties to even). Below 2^53 Number() is exact and the one
 * rounding to f32 is correct; above, the value is first cut to 53 bits with a sticky lowest bit
 * ("round to odd"), which makes the later rounding to 24 bits exact (53 >= 24 + 2; Boldo and
 * Melquiond, "When double rounding is odd", 2005).
 */
function int64ToF32(v: bigint): number {
  const mag = v < 0n ? -v : v;
  if (mag < TWO_53) return Math.fround(Number(v));
  const shift = mag.toString(2).length - 53;
  let top = mag >> BigInt(shift);
  if (top << BigInt(shift) !== mag) top |= 1n;
  const r = Math.fround(Number(top) * 2 ** shift);
  return v < 0n ? -r : r;
}

/**
 * Decodes the stored bytes of a tensor to f32, row-major in `shape` order. Floats convert exactly
 * (F16, BF16, F8_E4M3, F8_E5M2 are subsets of f32; F64 rounds to the nearest f32, ties to even);
 * integers become their nearest f32 (exact for |v| <= 2^24; I64 correctly rounded beyond);
 * ggml blocks dequantize exactly as ggml's `dequantize_row_*` (src/quant/ggml), one row per
 * innermost dimension. `bytes` may start at any offset. Always returns a new array.
 * Throws a ModelLoadError('corrupt') when the byte count does not match dtype and shape.
 */
export function decodeToFloat32(dtype: TensorDType, bytes: Uint8Array, shape: readonly number[]): Float32Array {
  const expected = dtypeByteLength(dtype, shape);
  if (bytes.length !== expected) {
    throw new ModelLoadError('corrupt',
      `A ${dtype} tensor of shape [${shape.join(', ')}] needs ${expected} bytes, but ${bytes.length} were read. The file is damaged; try downloading it again.`);
  }
  switch (dtype) {
    case 'F64': return new Float32Array(view(Float64Array, bytes));
    case 'F32': return view(Float32Array, bytes).slice();
    case 'F16': return fromTable(view(Uint16Array, bytes), fp16Table());
    case 'BF16': {
      // bf16 is the top half of an f32: shifting the bits is exact, NaN payloads included.
      const hi = view(Uint16Array, bytes);
      const bits = new Uint32Array(hi.length);
      for (let i = 0; i < hi.length; i++) bits[i] = hi[i] << 16;
      return new Float32Array(bits.buffer);
    }
    case 'F8_E4M3': return fromTable(bytes, e4m3Table());
    case 'F8_E5M2': return fromTable(bytes, e5m2Table());
    case 'I64': {
      const src = view(BigInt64Array, bytes);
      const out = new Float32Array(src.length);
      for (let i = 0; i < src.length; i++) out[i] = int64ToF32(src[i]);
      return out;
    }
    case 'I32': return new Float32Array(view(Int32Array, bytes));
    case 'I16': return new Float32Array(view(Int16Array, bytes));
    case 'I8': return new Float32Array(view(Int8Array, bytes));
    case 'U8': return new Float32Array(bytes);
    default: {
      const cols = shape[shape.length - 1];
      return ggmlDequantizeTensor(dtype, bytes, elementCount(shape.slice(0, -1)), cols);
    }
  }
}

/** Reads one tensor's bytes from its source and decodes them to f32 ({@link decodeToFloat32}). */
export async function readTensor(source: ByteSource, entry: TensorEntry, signal?: AbortSignal): Promise<Float32Array> {
  const bytes = await source.read(entry.byteOffset, entry.byteOffset + entry.byteLength, signal);
  return decodeToFloat32(entry.dtype, bytes, entry.shape);
}
