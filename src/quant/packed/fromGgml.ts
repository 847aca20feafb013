// quant: ggml block bytes (Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q4_K, Q6_K, as GGUF stores them) to packed weights whose dequantization is ggml's, bit for bit.
import { f32 } from '../../lib/f32';
import { GGML_FORMATS, type GgmlBlockType, getScaleMinK4, ggmlRowBytes, QK_K } from '../ggml';
import { readHalf } from '../ggml/common';
import { type PackedMode, type PackedWeights, packRows } from './weights';

/** One block's codes (unsigned), scales and shifts, written at element `e0` and group `g0` of the outputs. */
type BlockReader = (bytes: Uint8Array, o: number, codes: Uint8Array, e0: number, scales: Float32Array, shifts: Float32Array, g0: number) => void;

/** A ggml type as a packed format: code width, mode, elements per group, and how to read one block. */
interface GgmlPacking {
  readonly bits: number;
  readonly mode: Exclude<PackedMode, 'f32' | 'table'>;
  readonly groupSize: number;
  readonly read: BlockReader;
}

/** Nibble of element j (0..31) of a Q4/Q5 block: byte j low nibble, byte j − 16 high nibble. */
const nibble = (bytes: Uint8Array, qs: number, j: number): number => (j < 16 ? bytes[qs + j] & 0xf : bytes[qs + j - 16] >> 4);

/** Bit 4 of the Q5 code of element j: bit j of the little-endian u32 qh. */
const q5High = (bytes: Uint8Array, qh: number, j: number): number => ((bytes[qh + (j >> 3)] >> (j & 7)) & 1) << 4;

/** Q4_0 / Q5_0 (`dequantize_row_q4_0`, `_q5_0`): ŵ = (code − z) · d, affine with z = 8 or 16. */
const legacyAffine = (five: boolean, zero: number): BlockReader => (bytes, o, codes, e0, scales, shifts, g0) => {
  scales[g0] = readHalf(bytes, o);
  shifts[g0] = zero;
  const qs = o + (five ? 6 : 2);
  for (let j = 0; j < 32; j++) codes[e0 + j] = nibble(bytes, qs, j) | (five ? q5High(bytes, o + 2, j) : 0);
};

/** Q4_1 / Q5_1 (`dequantize_row_q4_1`, `_q5_1`): ŵ = f32(f32(code · d) + m), scale-offset with o = m. */
const legacyMin = (five: boolean): BlockReader => (bytes, o, codes, e0, scales, shifts, g0) => {
  scales[g0] = readHalf(bytes, o);
  shifts[g0] = readHalf(bytes, o + 2);
  const qs = o + (five ? 8 : 4);
  for (let j = 0; j < 32; j++) codes[e0 + j] = nibble(bytes, qs, j) | (five ? q5High(bytes, o + 4, j) : 0);
};

const PACKINGS: Readonly<Record<GgmlBlockType, GgmlPacking>> = {
  // `dequantize_row_q8_0`: ŵ = qs · d with qs an int8; stored as the unsigned code qs + 128, z = 128.
  Q8_0: {
    bits: 8, mode: 'affine', groupSize: 32,
    read: (bytes, o, codes, e0, scales, shifts, g0) => {
      scales[g0] = readHalf(bytes, o);
      shifts[g0] = 128;
      for (let j = 0; j < 32; j++) codes[e0 + j] = bytes[o + 2 + j] ^ 0x80;
    },
  },
  Q4_0: { bits: 4, mode: 'affine', groupSize: 32, read: legacyAffine(false, 8) },
  Q5_0: { bits: 5, mode: 'affine', groupSize: 32, read: legacyAffine(true, 16) },
  Q4_1: { bits: 4, mode: 'scale-offset', groupSize: 32, read: legacyMin(false) },
  Q5_1: { bits: 5, mode: 'scale-offset', groupSize: 32, read: legacyMin(true) },
  // `dequantize_row_q4_K`: sub-block j of 32 gives ŵ = f32(f32(f32(d·sc_j) · q) − f32(dmin·m_j)):
  // scale-offset with s = f32(d·sc_j) and o = −f32(dmin·m_j) (a − b and a + (−b) round alike).
  Q4_K: {
    bits: 4, mode: 'scale-offset', groupSize: 32,
    read: (bytes, o, codes, e0, scales, shifts, g0) => {
      const d = readHalf(bytes, o), dmin = readHalf(bytes, o + 2);
      for (let j = 0; j < 8; j++) {
        const [sc, m] = getScaleMinK4(j, bytes, o + 4);
        scales[g0 + j] = f32(d * sc);
        shifts[g0 + j] = -f32(dmin * m);
        const qs = o + 16 + 32 * (j >> 1), high = j & 1;
        for (let l = 0; l < 32; l++) codes[e0 + 32 * j + l] = high ? bytes[qs + l] >> 4 : bytes[qs + l] & 0xf;
      }
    },
  },
  // `dequantize_row_q6_K`: sub-block j of 16 gives ŵ = f32(f32(d·scales[j]) · (code − 32)): affine, z = 32.
  Q6_K: {
    bits: 6, mode: 'affine', groupSize: 16,
    read: (bytes, o, codes, e0, scales, shifts, g0) => {
      const d = readHalf(bytes, o + 208);
      for (let j = 0; j < 16; j++) {
        scales[g0 + j] = f32(d * ((bytes[o + 192 + j] << 24) >> 24));
        shifts[g0 + j] = 32;
      }
      for (let e = 0; e < QK_K; e++) {
        // Element e = 128h + 32s + l: low nibble from ql[64h + 32(s & 1) + l] (high nibble when s >= 2),
        // high 2 bits from qh[32h + l] bits 2s..2s+1 (ggml-common.h block_q6_K).
        const h = e >> 7, s = (e >> 5) & 3, l = e & 31;
        const ql = bytes[o + 64 * h + 32 * (s & 1) + l];
        const low = s >= 2 ? ql >> 4 : ql & 0xf;
        codes[e0 + e] = low | (((bytes[o + 128 + 32 * h + l] >> (2 * s)) & 3) << 4);
      }
    },
  },
};

/**
 * Packed weights from the block bytes of a row-major [n, k] ggml tensor (rows one after another,
 * as in GGUF and {@link ggmlQuantizeTensor}); k must be a multiple of the block size. Every block's
 * fp16 scale (and min, and for K-quants the sub-block products) is decoded to f32 the way ggml's
 * `dequantize_row_*` computes it, so dequantizePacked equals `ggmlDequantizeTensor` bit for bit.
 */
export function packGgml(type: GgmlBlockType, bytes: Uint8Array, n: number, k: number): PackedWeights {
  const format = GGML_FORMATS[type], packing = PACKINGS[type];
  const rowBytes = ggmlRowBytes(type, k);
  if (bytes.length < n * rowBytes) {
    throw new Error(`${type}: ${bytes.length} bytes hold fewer than the ${n} rows of ${rowBytes} bytes a ${n}×${k} weight needs. The tensor data is truncated: re-export or re-download the model.`);
  }
  const blocksPerRow = k / format.blockSize;
  const groupsPerBlock = format.blockSize / packing.groupSize;
  const groupsPerRow = blocksPerRow * groupsPerBlock;
  const codes = new Uint8Array(n * k);
  const scales = new Float32Array(n * groupsPerRow), shifts = new Float32Array(n * groupsPerRow);
  for (let r = 0; r < n; r++) {
    for (let b = 0; b < blocksPerRow; b++) {
      packing.read(bytes, r * rowBytes + b * format.bytesPerBlock, codes, r * k + b * format.blockSize, scales, shifts, r * groupsPerRow + b * groupsPerBlock);
    }
  }
  return {
    n, k, bits: packing.bits, mode: packing.mode, groupSize: packing.groupSize, groupsPerRow,
    codes: packRows(codes, n, k, packing.bits), scales, shifts, table: new Float32Array(0),
  };
}
