// gpu: column gather (shaders/gather_columns.wgsl), the reorder step of channel reordering — twin of gatherColumns in src/quant/transforms/reorder.ts.
import { grid2d } from '../dispatch';
import { readBuffers } from '../readback';
import { encodePass, type GpuRuntime, storageUsage, uploadStorage, uploadUniform } from '../runtime';

const WG = 256;

/**
 * Encodes out[r, j] = x[r, perm[j]] for the row-major f32[rows · cols] buffer `x` (perm: a
 * permutation of 0..cols-1). Returns the pooled output and scratch buffers; release them after submit.
 */
export function encodeGatherColumns(
  rt: GpuRuntime, encoder: GPUCommandEncoder, x: GPUBuffer, rows: number, cols: number, perm: Uint32Array,
): { out: GPUBuffer; scratch: GPUBuffer[] } {
  const total = rows * cols;
  if (perm.length !== cols) throw new Error(`encodeGatherColumns: the permutation has ${perm.length} entries but the matrix has ${cols} columns.`);
  if (x.size < total * 4) throw new Error(`encodeGatherColumns: ${rows} × ${cols} values need ${total * 4} bytes but the buffer has ${x.size}.`);
  const params = uploadUniform(rt, [total, cols], 'gather_columns.params');
  const permBuffer = uploadStorage(rt, perm, 'gather_columns.perm');
  const out = rt.pool.acquire(total * 4, storageUsage(), 'gather_columns.out');
  const pipeline = rt.pipelines.get('gather_columns', 'gather', { WG });
  encodePass(rt, encoder, pipeline, { 0: params, 1: x, 2: permBuffer, 3: out }, grid2d(Math.ceil(total / WG)));
  return { out, scratch: [params, permBuffer] };
}

/** Uploads `x`, gathers its columns by `perm` on the GPU, reads the result back (one submit). */
export async function gatherColumnsGpu(rt: GpuRuntime, x: Float32Array, rows: number, cols: number, perm: Uint32Array): Promise<Float32Array> {
  if (x.length !== rows * cols) throw new Error(`gatherColumnsGpu: a ${rows} × ${cols} matrix needs ${rows * cols} values, got ${x.length}.`);
  const input = uploadStorage(rt, x, 'gather_columns.x');
  const encoder = rt.device.createCommandEncoder({ label: 'gather_columns' });
  const { out, scratch } = encodeGatherColumns(rt, encoder, input, rows, cols, perm);
  try {
    const [bytes] = await readBuffers(rt.device, encoder, [out]);
    return new Float32Array(bytes, 0, x.length);
  } finally {
    void rt.pool.releaseAfterSubmit([input, out, ...scratch]);
  }
}
