// quant: packed low-bit linear weights (codes + per-group scales, zero points or offsets, a value table) and their exact dequantization, the CPU reference of shaders/matmul_packed.wgsl.
import { assert } from '../../lib/assert';
import { bitsF32, f32 } from '../../lib/f32';
import { packCodes, unpackCode } from '../pack';

/**
 * How a code q of group g becomes a weight (each step one f32 operation, in this order):
 * - `affine`       ŵ = f32(f32(q − z_g) · s_g): integer formats (any mode: z is 2^(b-1) for the
 *                  symmetric ones, the group's zero point otherwise, a float for asym-float),
 *                  ternary, ggml Q8_0/Q4_0/Q5_0/Q6_K.
 * - `table`        ŵ = f32(T[q] · s_g): FP8/6/4 elements, MX, NVFP4, NF4/NF3/NF2, bitsandbytes FP4,
 *                  IQ4_NL, typed codebooks, binary, log2, LLM-FP4 search, Lloyd-Max (s = 1).
 * - `scale-offset` ŵ = f32(f32(q · s_g) + o_g): ggml Q4_1/Q5_1 (o = the fp16 min) and Q4_K
 *                  (s = f32(d·sc_j), o = −f32(dmin·m_j), so f32(a + o) = ggml's f32(a − dmin·m_j)).
 * - `f32`          ŵ = the f32 whose bits are the 32-bit "code": the unquantized (fp32) path.
 */
export type PackedMode = 'affine' | 'table' | 'scale-offset' | 'f32';

/** Weights per chunk: the unit the kernels decode, `bits` whole u32 words for every width. */
export const PACKED_CHUNK = 32;

/**
 * A linear layer's weight W, shape [n (outputs), k (inputs)], row-major, quantized along k.
 *
 * Codes: row r is ceil(k / 32) chunks of 32 codes; chunk c of row r is the `bits` u32 words starting
 * at word (r · ceil(k/32) + c) · bits, holding codes k = 32c .. 32c + 31 in the bit stream of
 * src/quant/pack.ts (code j at bits [j·b, j·b + b), little-endian). So every row starts on a word
 * boundary and is padded with zero codes to a multiple of 32 codes (a chunk is always `bits` whole
 * words, even for 3, 5, 6 and 7 bits); padding codes are never dequantized.
 *
 * Groups: weight (r, c) belongs to group r · groupsPerRow + floor(c / groupSize). That one formula
 * covers every layout of src/quant/groups.ts: block G (groupSize G, groupsPerRow ceil(k/G), the
 * last group of a row a shorter tail), row (groupSize k, groupsPerRow 1), tensor (groupSize k,
 * groupsPerRow 0: every row shares group 0) and column (groupSize 1, groupsPerRow 0: group c).
 */
export interface PackedWeights {
  /** Output features (rows of W). */
  readonly n: number;
  /** Input features (columns of W, the reduction dimension). */
  readonly k: number;
  /** Code width: 1..8, or 32 for `f32`. */
  readonly bits: number;
  readonly mode: PackedMode;
  /** Consecutive weights of a row that share a group (>= 1). */
  readonly groupSize: number;
  /** Groups per row in the group index (0 when all rows share their groups). */
  readonly groupsPerRow: number;
  /** u32[n · ceil(k/32) · bits], laid out as above. */
  readonly codes: Uint32Array;
  /** f32 per group: s_g (empty for `f32`). */
  readonly scales: Float32Array;
  /** f32 per group: z_g (`affine`) or o_g (`scale-offset`); empty otherwise. */
  readonly shifts: Float32Array;
  /** f32[2^bits]: T (`table`); empty otherwise. */
  readonly table: Float32Array;
}

/** Chunks (of 32 codes) per row. */
export function chunksPerRow(k: number): number {
  return Math.ceil(k / PACKED_CHUNK);
}

/** Number of groups the index formula reaches: n · groupsPerRow, or ceil(k / groupSize) when rows share groups. */
export function packedGroupCount(p: Pick<PackedWeights, 'n' | 'k' | 'groupSize' | 'groupsPerRow'>): number {
  return p.groupsPerRow === 0 ? Math.ceil(p.k / p.groupSize) : p.n * p.groupsPerRow;
}

/** Group of weight (row r, column c). */
export function packedGroupOf(p: Pick<PackedWeights, 'groupSize' | 'groupsPerRow'>, r: number, c: number): number {
  return r * p.groupsPerRow + Math.floor(c / p.groupSize);
}

/**
 * Packs row-major codes (n · k of them, each < 2^bits, bits 1..8) into the row-chunk layout of
 * {@link PackedWeights}, padding each row with zero codes to a multiple of 32.
 */
export function packRows(codes: ArrayLike<number>, n: number, k: number, bits: number): Uint32Array {
  assert(codes.length === n * k, `packRows: ${codes.length} codes for a ${n}×${k} weight`);
  const padded = chunksPerRow(k) * PACKED_CHUNK;
  const rowWords = chunksPerRow(k) * bits;
  const out = new Uint32Array(n * rowWords);
  const row = new Uint8Array(padded);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < k; c++) row[c] = codes[r * k + c];
    out.set(packCodes(row, bits), r * rowWords);
  }
  return out;
}

/** Code of weight (r, c): an unsigned b-bit code, or the f32 bits for `f32`. */
export function packedCode(p: PackedWeights, r: number, c: number): number {
  const rowWords = chunksPerRow(p.k) * p.bits;
  if (p.mode === 'f32') return p.codes[r * rowWords + c];
  return unpackCode(p.codes.subarray(r * rowWords, (r + 1) * rowWords), p.bits, c);
}

/** ŵ of one code in group g: the per-mode formula of {@link PackedMode}, exactly as the kernel computes it. */
export function dequantizeCode(p: PackedWeights, code: number, g: number): number {
  switch (p.mode) {
    case 'affine': return f32(f32(code - p.shifts[g]) * p.scales[g]);
    case 'table': return f32(p.table[code] * p.scales[g]);
    case 'scale-offset': return f32(f32(code * p.scales[g]) + p.shifts[g]);
    case 'f32': return bitsF32(code);
  }
}

/** Every weight ŵ (f32[n · k], row-major): the CPU reference of the kernels' on-the-fly dequantization. */
export function dequantizePacked(p: PackedWeights): Float32Array {
  const out = new Float32Array(p.n * p.k);
  for (let r = 0; r < p.n; r++) {
    for (let c = 0; c < p.k; c++) out[r * p.k + c] = dequantizeCode(p, packedCode(p, r, c), packedGroupOf(p, r, c));
  }
  return out;
}

/** The fp32 path: W itself (f32[n · k], row-major) in the packed layout, mode `f32`, so one kernel family runs both. */
export function packDense(w: Float32Array, n: number, k: number): PackedWeights {
  assert(w.length === n * k, `packDense: ${w.length} values for a ${n}×${k} weight`);
  const rowWords = chunksPerRow(k) * PACKED_CHUNK;
  const codes = new Uint32Array(n * rowWords);
  const bits = new Uint32Array(w.buffer, w.byteOffset, w.length);
  for (let r = 0; r < n; r++) codes.set(bits.subarray(r * k, (r + 1) * k), r * rowWords);
  const none = new Float32Array(0);
  return { n, k, bits: 32, mode: 'f32', groupSize: k, groupsPerRow: 0, codes, scales: none, shifts: none, table: none };
}

/** Checks the invariants of {@link PackedWeights} (sizes, widths); throws a message naming the broken one. */
export function checkPacked(p: PackedWeights): void {
  const what = `packed ${p.n}×${p.k} ${p.mode} ${p.bits}-bit weight`;
  assert(Number.isInteger(p.n) && p.n >= 1 && Number.isInteger(p.k) && p.k >= 1, `${what}: needs at least one row and column`);
  assert(p.mode === 'f32' ? p.bits === 32 : Number.isInteger(p.bits) && p.bits >= 1 && p.bits <= 8, `${what}: bits must be 1..8 (32 for f32)`);
  assert(p.codes.length === p.n * chunksPerRow(p.k) * p.bits, `${what}: ${p.codes.length} code words, expected ${p.n * chunksPerRow(p.k) * p.bits}`);
  if (p.mode === 'f32') return;
  assert(Number.isInteger(p.groupSize) && p.groupSize >= 1 && Number.isInteger(p.groupsPerRow) && p.groupsPerRow >= 0, `${what}: bad group size or groups per row`);
  assert(p.groupsPerRow === 0 || p.groupsPerRow >= Math.ceil(p.k / p.groupSize), `${what}: ${p.groupsPerRow} groups per row cannot hold ${p.k} columns in groups of ${p.groupSize}`);
  const groups = packedGroupCount(p);
  assert(p.scales.length === groups, `${what}: ${p.scales.length} scales for ${groups} groups`);
  const needsShifts = p.mode === 'affine' || p.mode === 'scale-offset';
  assert(p.shifts.length === (needsShifts ? groups : 0), `${what}: ${p.shifts.length} zero points/offsets for ${groups} groups`);
  assert(p.table.length === (p.mode === 'table' ? 1 << p.bits : 0), `${what}: table of ${p.table.length} values`);
}
