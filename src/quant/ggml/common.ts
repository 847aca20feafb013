// quant: shared pieces of the ggml block formats: fp16 scales as ggml rounds them, nearest_int, C integer casts, row checks.
import { f32 } from '../../lib/f32';
import { FP16 } from '../formats/fp';

/**
 * Arithmetic convention of every file in src/quant/ggml: each C float operation is one
 * `f32(...)` (Math.fround), in the C reference's evaluation order, with no fused multiply-add
 * (ggml's reference compiled with -ffp-contract=off on x86-64/SSE). Divisions are
 * f32(a / b) on f32 operands, which is correctly rounded; unlike src/lib's divRn nothing is
 * flushed to zero, because C on a CPU keeps subnormals.
 */
export const div = (a: number, b: number): number => f32(a / b);

/** Smallest value of |fp16 input| that ggml's conversion rounds to infinity (65504 + half an ulp). */
const FP16_OVERFLOW = 65520;

/**
 * Bits of `GGML_FP32_TO_FP16(x)` (ggml `src/ggml-impl.h`, `ggml_compute_fp32_to_fp16`): round to
 * nearest even, subnormals kept, |x| >= 65520 to ±inf (0x7C00), NaN to sign | 0x7E00.
 * FP16.encode (src/quant/formats/fp.ts) does the rounding; it saturates, so overflow is handled here.
 */
export function fp32ToFp16Bits(x: number): number {
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  if (Number.isNaN(x)) return 0x7e00;
  if (Math.abs(x) >= FP16_OVERFLOW) return sign | 0x7c00;
  return FP16.encode(x);
}

/** `GGML_FP16_TO_FP32`: the exact value of fp16 bits (inf and NaN included). */
export function fp16BitsToFp32(bits: number): number {
  return FP16.decode(bits & 0xffff);
}

/** Writes GGML_FP32_TO_FP16(x) little-endian at `off` (ggml_half is a little-endian uint16 in GGUF). */
export function writeHalf(out: Uint8Array, off: number, x: number): void {
  const bits = fp32ToFp16Bits(x);
  out[off] = bits & 0xff;
  out[off + 1] = bits >>> 8;
}

/** Reads the little-endian fp16 at `off` as its f32 value. */
export function readHalf(bytes: Uint8Array, off: number): number {
  return fp16BitsToFp32(bytes[off] | (bytes[off + 1] << 8));
}

/** The fp16-rounded value ggml stores and dequantizes with: GGML_FP16_TO_FP32(GGML_FP32_TO_FP16(x)). */
export function roundFp16(x: number): number {
  return fp16BitsToFp32(fp32ToFp16Bits(x));
}

/**
 * ggml's `nearest_int` (ggml-quants.c): adds 1.5 * 2^23 in f32 and reads the mantissa, which is
 * round half to even of the f32 argument for |x| <= 4194303 (ggml asserts that range). `+ 0`
 * turns -0 into 0, as the integer result has no sign of zero.
 */
export function nearestInt(x: number): number {
  const r = Math.round(x);
  return (r - x === 0.5 && r % 2 !== 0 ? r - 1 : r) + 0;
}

/**
 * C's `(int8_t)` / `(uint8_t)` of a float as x86-64 gcc does it: truncate toward zero to int32
 * (cvttss2si) and keep the low byte. In range it is plain truncation; ggml's references only
 * reach the range, except on NaN/inf inputs.
 */
export function truncToInt8(x: number): number {
  return (Math.trunc(x) << 24) >> 24;
}

/** As {@link truncToInt8}, for `(uint8_t)`. */
export function truncToUint8(x: number): number {
  return Math.trunc(x) & 0xff;
}

/** `roundf`: round half away from zero (not WGSL's ties-to-even). */
export function roundAway(x: number): number {
  return Math.sign(x) * Math.round(Math.abs(x)) + 0;
}

/**
 * Number of blocks in a row of `n` elements. ggml quantizes whole blocks only (`assert(k % qk == 0)`
 * in every quantize_row_*_ref); so do we, with an error instead of an assert.
 */
export function blockCount(n: number, blockSize: number, name: string): number {
  if (!Number.isInteger(n) || n < 0 || n % blockSize !== 0) {
    throw new Error(`${name}: row length ${n} is not a multiple of the block size ${blockSize} (ggml quantizes whole blocks only)`);
  }
  return n / blockSize;
}

/** Checks that `bytes` holds at least the blocks of an n-element row and returns the block count. */
export function checkBytes(bytes: Uint8Array, n: number, blockSize: number, bytesPerBlock: number, name: string): number {
  const nb = blockCount(n, blockSize, name);
  if (bytes.length < nb * bytesPerBlock) {
    throw new Error(`${name}: ${bytes.length} bytes hold fewer than the ${nb} blocks of ${bytesPerBlock} bytes that ${n} elements need`);
  }
  return nb;
}
