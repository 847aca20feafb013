// gpu: randomized Hadamard rotation kernels (shaders/hadamard.wgsl) — twin of src/quant/hadamard/rotation.ts (rotateRows).
import { f32Bits } from '../../lib/f32';
import { hadamardMatrix } from '../../quant/hadamard/matrices';
import type { HadamardRotation, RotationDirection } from '../../quant/hadamard/rotation';
import { grid2d } from '../dispatch';
import { readBuffers } from '../readback';
import { encodePass, type GpuRuntime, storageUsage, uploadStorage, uploadUniform } from '../runtime';

const WG = 256;
/** f32 per workgroup tile (TILE_MAX in the shader): blocks up to this size run in one fused pass. */
export const HADAMARD_TILE = 4096;

/**
 * Elements per workgroup (the shader's `tile` parameter) for spans of whole `unit`s (blocks for
 * the fused pass, min(P, HADAMARD_TILE) butterfly chunks for the tiled one): as many units side by
 * side as fill the tile, at least one. A full tile gives each of the WG threads REG = 8 elements
 * per butterfly round twice over (or nearly) for any small block, instead of 3/4 of them idling
 * at B = 64 with a workgroup per block.
 */
export function hadamardSpan(unit: number): number {
  return unit * Math.max(1, Math.floor(HADAMARD_TILE / unit));
}
const FLAG_SIGNS = 1;
const FLAG_FINISH = 2;

/** Buffers of an encoded rotation (pooled; release them all after submit). */
export interface HadamardBuffers {
  /** f32[rows · size]: the rotated rows. */
  readonly out: GPUBuffer;
  readonly scratch: GPUBuffer[];
}

/** H_K's -1 entries as bits: bit a·K + c of the u32 words is set where h[a][c] = -1. */
function negativeBits(order: number): Uint32Array {
  const h = hadamardMatrix(order);
  const bits = new Uint32Array(Math.ceil(order * order / 32));
  h.forEach((v, k) => { if (v < 0) bits[k >> 5] |= 1 << (k & 31); });
  return bits;
}

/**
 * Encodes the rotation of each of the `rows` rows of `x` (f32[rows · rotation.size], row-major):
 * y = R x (forward) or Rᵀ y (inverse), the same bits as rotateRows in src/quant/hadamard/rotation.ts.
 * Blocks up to HADAMARD_TILE elements take one pass (a workgroup per block or per several small
 * blocks, in registers and workgroup memory); longer ones take a tiled butterfly pass, one pass per
 * remaining butterfly stride, and a dense pass for K > 1. Nothing is read back; the caller submits.
 */
export function encodeHadamard(
  rt: GpuRuntime, encoder: GPUCommandEncoder, x: GPUBuffer, rows: number, rotation: HadamardRotation,
  direction: RotationDirection = 'forward',
): HadamardBuffers {
  const { size, block, order, pow2, seed, scale } = rotation;
  const total = rows * size;
  if (!Number.isInteger(rows) || rows < 1) throw new Error(`encodeHadamard: needs at least one row, got ${rows}.`);
  if (x.size < total * 4) throw new Error(`encodeHadamard: ${rows} rows of ${size} need ${total * 4} bytes but the input buffer has ${x.size}.`);
  const signs = seed === null ? 0 : FLAG_SIGNS;
  const params = (name: string, tile: number, stride: number, flags: number) => uploadUniform(
    rt, [total, size, block, pow2, order, tile, stride, seed ?? 0, flags, f32Bits(scale), 0, 0], `hadamard.params.${name}`,
  );
  const hBits = uploadStorage(rt, negativeBits(order), 'hadamard.h_bits');
  const out = rt.pool.acquire(total * 4, storageUsage(), 'hadamard.out');
  const scratch = [hBits];
  const pipe = (entry: string) => rt.pipelines.get('hadamard', entry, { WG, INVERSE: direction === 'inverse' ? 1 : 0 });
  const pass = (entry: string, uniform: GPUBuffer, buffers: Record<number, GPUBuffer>, groups: number) => {
    scratch.push(uniform);
    encodePass(rt, encoder, pipe(entry), { 0: uniform, ...buffers }, grid2d(groups));
  };

  if (block <= HADAMARD_TILE) {
    const tile = hadamardSpan(block);
    pass('fused', params('fused', tile, 0, signs | FLAG_FINISH), { 1: x, 2: out, 3: hBits }, Math.ceil(total / tile));
    return { out, scratch };
  }
  // Butterflies go to `out` directly when nothing follows them but more butterflies (K = 1).
  const butterflied = order > 1 ? rt.pool.acquire(total * 4, storageUsage(), 'hadamard.butterflied') : out;
  if (butterflied !== out) scratch.push(butterflied);
  const tile = hadamardSpan(Math.min(pow2, HADAMARD_TILE));
  pass('tiles', params('tiles', tile, 0, signs), { 1: x, 2: butterflied }, Math.ceil(total / tile));
  for (let stride = HADAMARD_TILE; stride < pow2; stride *= 2) {
    const last = order === 1 && stride * 2 === pow2;
    pass('stage', params(`stage_${stride}`, tile, stride, signs | (last ? FLAG_FINISH : 0)), { 2: butterflied }, Math.ceil(total / 2 / WG));
  }
  if (order > 1) pass('dense', params('dense', tile, 0, signs | FLAG_FINISH), { 1: butterflied, 2: out, 3: hBits }, Math.ceil(total / WG));
  return { out, scratch };
}

/** Uploads `x`, rotates its rows on the GPU, reads the result back (one submit, one map). */
export async function rotateRowsGpu(
  rt: GpuRuntime, x: Float32Array, rows: number, rotation: HadamardRotation, direction: RotationDirection = 'forward',
): Promise<Float32Array> {
  if (x.length !== rows * rotation.size) {
    throw new Error(`rotateRowsGpu: expected ${rows} rows of ${rotation.size} values (${rows * rotation.size}), got ${x.length}.`);
  }
  const input = uploadStorage(rt, x, 'hadamard.x');
  const encoder = rt.device.createCommandEncoder({ label: 'hadamard' });
  const { out, scratch } = encodeHadamard(rt, encoder, input, rows, rotation, direction);
  try {
    const [bytes] = await readBuffers(rt.device, encoder, [out]);
    return new Float32Array(bytes, 0, x.length);
  } finally {
    void rt.pool.releaseAfterSubmit([input, out, ...scratch]);
  }
}
