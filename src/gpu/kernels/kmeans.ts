// gpu: the nearest-codeword step of k-means and vector quantization (shaders/kmeans_assign.wgsl) — twin of assignNearest in src/quant/transforms/kmeans.ts.
import { type AssignRequest, type KmeansParams, type KmeansResult, kmeansSteps } from '../../quant/transforms/kmeans';
import type { TransformResult } from '../../quant/transforms/base';
import { runStepsAsync } from '../../quant/transforms/steps';
import { type VqInfo, type VqParams, vqSteps } from '../../quant/transforms/vq';
import { grid2d } from '../dispatch';
import { readBuffers } from '../readback';
import { encodePass, type GpuRuntime, storageUsage, uploadStorage, uploadUniform } from '../runtime';

const WG = 256;
const MAX_D = 8;

/**
 * Answers nearest-codeword requests on the GPU. The vectors buffer is kept while successive requests
 * pass the same Float32Array (every Lloyd round of one fit), so only the codebook is uploaded again.
 * Call `release` when done.
 */
export function gpuAssigner(rt: GpuRuntime): { assign(req: AssignRequest): Promise<Uint32Array>; release(): void } {
  let cached: { vectors: Float32Array; buffer: GPUBuffer } | null = null;
  const vectorsBuffer = (vectors: Float32Array): GPUBuffer => {
    if (cached?.vectors === vectors) return cached.buffer;
    if (cached) void rt.pool.releaseAfterSubmit([cached.buffer]);
    cached = { vectors, buffer: uploadStorage(rt, vectors, 'kmeans_assign.vectors') };
    return cached.buffer;
  };
  const assign = async ({ vectors, d, codebook }: AssignRequest): Promise<Uint32Array> => {
    if (!Number.isInteger(d) || d < 1 || d > MAX_D) throw new Error(`assignNearestGpu: vectors must have 1 to ${MAX_D} dimensions, got ${d}.`);
    const n = vectors.length / d, k = codebook.length / d;
    const params = uploadUniform(rt, [n, k, d, 0], 'kmeans_assign.params');
    const book = uploadStorage(rt, codebook, 'kmeans_assign.codebook');
    const out = rt.pool.acquire(n * 4, storageUsage(), 'kmeans_assign.out');
    const encoder = rt.device.createCommandEncoder({ label: 'kmeans_assign' });
    encodePass(rt, encoder, rt.pipelines.get('kmeans_assign', 'assign', { WG }), { 0: params, 1: vectorsBuffer(vectors), 2: book, 3: out }, grid2d(Math.ceil(n / WG)));
    try {
      const [bytes] = await readBuffers(rt.device, encoder, [out]);
      return new Uint32Array(bytes, 0, n);
    } finally {
      void rt.pool.releaseAfterSubmit([params, book, out]);
    }
  };
  const release = () => {
    if (cached) void rt.pool.releaseAfterSubmit([cached.buffer]);
    cached = null;
  };
  return { assign, release };
}

/** Nearest codeword of each of the vectors (f32[n · d], d <= 8) in `codebook` (f32[k · d]); the same indices as assignNearest. */
export async function assignNearestGpu(rt: GpuRuntime, request: AssignRequest): Promise<Uint32Array> {
  const assigner = gpuAssigner(rt);
  try {
    return await assigner.assign(request);
  } finally {
    assigner.release();
  }
}

/** k-means with the assignment step on the GPU: the same result as src/quant/transforms/kmeans.ts `kmeans`. */
export async function kmeansGpu(rt: GpuRuntime, vectors: Float32Array, d: number, params: KmeansParams): Promise<KmeansResult> {
  const assigner = gpuAssigner(rt);
  try {
    return await runStepsAsync(kmeansSteps(vectors, d, params), assigner.assign);
  } finally {
    assigner.release();
  }
}

/** Vector quantization with every assignment on the GPU: the same result as src/quant/transforms/vq.ts `applyVq`. */
export async function applyVqGpu(rt: GpuRuntime, w: Float32Array, rows: number, cols: number, params: VqParams): Promise<TransformResult<VqInfo>> {
  const assigner = gpuAssigner(rt);
  try {
    return await runStepsAsync(vqSteps(w, rows, cols, params), assigner.assign);
  } finally {
    assigner.release();
  }
}
