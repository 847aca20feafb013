// gpu: linear layers from packed low-bit (or f32) weights, shaders/matmul_packed.wgsl — twin of src/quant/packed (dequantizeCode, matmulPackedReference).
import { chunksPerRow, checkPacked, type PackedMode, type PackedWeights } from '../../quant/packed/weights';
import { MAX_GROUPS_PER_DIM } from '../dispatch';
import { readBuffers } from '../readback';
import { encodePass, type GpuRuntime, storageUsage, uploadStorage, uploadUniform } from '../runtime';

const MODE_INDEX: Readonly<Record<PackedMode, number>> = { affine: 0, table: 1, 'scale-offset': 2, f32: 3 };
/** Rows of Ŵ per matvec workgroup (MV_ROWS in the shader). */
const MV_ROWS = 8;
/** y tile of the matmul entry point: TM rows of x by TN rows of Ŵ. */
const TM = 32, TN = 64;
/** Rows of x per matvec_batch workgroup (MB in the shader); auto takes matvec_batch for 2 ≤ m ≤ MB. */
const MB = 8;

/** A packed weight on the GPU: its two buffers plus the shape and format fields of {@link PackedWeights} the kernel needs. */
export interface PackedGpuWeights extends Pick<PackedWeights, 'n' | 'k' | 'bits' | 'mode' | 'groupSize' | 'groupsPerRow'> {
  /** u32 codes in the layout of {@link PackedWeights}. */
  readonly codes: GPUBuffer;
  /** f32: scales, then zero points / offsets from `shiftOffset`, then the table from `tableOffset`. */
  readonly meta: GPUBuffer;
  readonly shiftOffset: number;
  readonly tableOffset: number;
}

/**
 * Which entry point runs: `matvec` (one row of x per workgroup row), `matvec_batch` (up to 8 rows of
 * x per workgroup row, Ŵ decoded once for them), `matmul` (32 × 64 tiles), or `auto` ({@link matmulEntry}).
 */
export type MatmulPath = 'auto' | 'matvec' | 'matvec_batch' | 'matmul';

/**
 * The entry point `path` runs for m rows of x: itself, or for `auto` matvec at m = 1, matvec_batch for
 * 2 ≤ m ≤ 8 (the tiled kernel would launch ceil(n/64) workgroups: 12 × 256 threads at n = 768),
 * matmul beyond (there a 32 × 64 tile reuses each decoded ŵ 32 times from workgroup memory).
 */
export function matmulEntry(m: number, path: MatmulPath = 'auto'): Exclude<MatmulPath, 'auto'> {
  if (path !== 'auto') return path;
  return m === 1 ? 'matvec' : m <= MB ? 'matvec_batch' : 'matmul';
}

/** The workgroup grid of `entry` for m rows of x and n outputs. */
function gridOf(entry: Exclude<MatmulPath, 'auto'>, m: number, n: number): [number, number] {
  if (entry === 'matvec') return [Math.ceil(n / MV_ROWS), m];
  if (entry === 'matvec_batch') return [Math.ceil(n / MV_ROWS), Math.ceil(m / MB)];
  return [Math.ceil(n / TN), Math.ceil(m / TM)];
}

function weightBuffer(rt: GpuRuntime, data: Uint32Array | Float32Array, label: string): GPUBuffer {
  const limit = rt.device.limits.maxStorageBufferBindingSize;
  if (data.byteLength > limit) {
    throw new Error(`${label}: the weight needs ${data.byteLength} bytes in one buffer but this GPU binds at most ${limit}. `
      + 'Split the layer by rows into several packed weights, or use a format with fewer bits.');
  }
  const buffer = rt.device.createBuffer({ label, size: Math.max(4, data.byteLength), usage: storageUsage() });
  rt.device.queue.writeBuffer(buffer, 0, data.buffer, data.byteOffset, data.byteLength);
  return buffer;
}

/**
 * Uploads a packed weight (checked with checkPacked) into two labelled buffers that live until
 * {@link destroyPacked}: the codes, and one f32 buffer with scales, zero points or offsets and
 * the table (one buffer because compatibility-mode devices allow 4 storage buffers per stage).
 */
export function uploadPacked(rt: GpuRuntime, p: PackedWeights, label = 'matmul_packed'): PackedGpuWeights {
  checkPacked(p);
  const meta = new Float32Array(p.scales.length + p.shifts.length + p.table.length);
  meta.set(p.scales);
  meta.set(p.shifts, p.scales.length);
  meta.set(p.table, p.scales.length + p.shifts.length);
  return {
    n: p.n, k: p.k, bits: p.bits, mode: p.mode, groupSize: p.groupSize, groupsPerRow: p.groupsPerRow,
    codes: weightBuffer(rt, p.codes, `${label}.codes`),
    meta: weightBuffer(rt, meta, `${label}.meta`),
    shiftOffset: p.scales.length,
    tableOffset: p.scales.length + p.shifts.length,
  };
}

/** Frees the buffers of an uploaded weight (after the work using them has been submitted and is done). */
export function destroyPacked(w: PackedGpuWeights): void {
  w.codes.destroy();
  w.meta.destroy();
}

/**
 * Encodes y = x · Ŵᵀ: x f32[m · k] and y f32[m · n], both row-major in their buffers (y is written,
 * never read; it must not be x's buffer). Nothing is submitted. Returns the per-call uniform buffer
 * (pooled): release it after submit. Ŵ's values are exactly dequantizePacked's; y differs from
 * matmulPackedReference only by summation order (see the shader header for the bound).
 */
export function encodeMatmulPacked(
  rt: GpuRuntime, encoder: GPUCommandEncoder, x: GPUBuffer, w: PackedGpuWeights, y: GPUBuffer, m: number, path: MatmulPath = 'auto',
): GPUBuffer {
  if (!Number.isInteger(m) || m < 1) throw new Error(`encodeMatmulPacked: needs at least one row of x, got m = ${m}.`);
  if (x.size < m * w.k * 4) throw new Error(`encodeMatmulPacked: x holds ${x.size} bytes, but ${m} rows of ${w.k} inputs need ${m * w.k * 4}.`);
  if (y.size < m * w.n * 4) throw new Error(`encodeMatmulPacked: y holds ${y.size} bytes, but ${m} rows of ${w.n} outputs need ${m * w.n * 4}.`);
  const entry = matmulEntry(m, path);
  const groups = gridOf(entry, m, w.n);
  if (groups[0] > MAX_GROUPS_PER_DIM || groups[1] > MAX_GROUPS_PER_DIM) {
    throw new Error(`encodeMatmulPacked: ${m}×${w.n} outputs need ${groups.join(' × ')} workgroups (at most ${MAX_GROUPS_PER_DIM} per dimension); split the call into fewer rows.`);
  }
  const uniform = uploadUniform(rt, [m, w.n, w.k, chunksPerRow(w.k), w.groupsPerRow, w.shiftOffset, w.tableOffset, 0], 'matmul_packed.params');
  const constants = { BITS: w.bits, MODE: MODE_INDEX[w.mode], GROUP: w.mode === 'f32' ? 1 : w.groupSize };
  const pipeline = rt.pipelines.get('matmul_packed', entry, constants);
  encodePass(rt, encoder, pipeline, { 0: uniform, 1: x, 2: w.codes, 3: w.meta, 4: y }, groups);
  return uniform;
}

/** Uploads x, runs one matmul on `w` and reads y back (f32[m · n]): one submit, one map. */
export async function matmulPackedGpu(rt: GpuRuntime, x: Float32Array, m: number, w: PackedGpuWeights, path: MatmulPath = 'auto'): Promise<Float32Array> {
  if (x.length !== m * w.k) throw new Error(`matmulPackedGpu: x has ${x.length} values, expected ${m} rows of ${w.k}.`);
  const xb = uploadStorage(rt, x, 'matmul_packed.x');
  const yb = rt.pool.acquire(m * w.n * 4, storageUsage(), 'matmul_packed.y');
  const encoder = rt.device.createCommandEncoder({ label: 'matmul_packed' });
  const scratch = [xb, yb];
  try {
    scratch.push(encodeMatmulPacked(rt, encoder, xb, w, yb, m, path));
    const [bytes] = await readBuffers(rt.device, encoder, [yb]);
    return new Float32Array(bytes, 0, m * w.n);
  } finally {
    void rt.pool.releaseAfterSubmit(scratch);
  }
}
