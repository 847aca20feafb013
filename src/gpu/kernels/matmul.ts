// gpu: f32 matrix product (shaders/matmul_f32.wgsl) and the randomized SVD driven by it — twins of matmulF32 and randomizedSvd(…, 'f32') in src/quant/transforms.
import { type ProductRequest, type RandomizedSvdParams, randomizedSvdSteps, type TruncatedSvd } from '../../quant/transforms/svd';
import { runStepsAsync } from '../../quant/transforms/steps';
import { readBuffers } from '../readback';
import { encodePass, type GpuRuntime, storageUsage, uploadStorage, uploadUniform } from '../runtime';

const T = 16;

/**
 * Encodes C = op(A) · B: op(A) is m × k (A stored m × k, or k × m with `transposeA`), B is k × n,
 * C (returned, pooled) m × n, all f32 row-major. Release `out` and `scratch` after submit.
 */
export function encodeMatmul(
  rt: GpuRuntime, encoder: GPUCommandEncoder, a: GPUBuffer, b: GPUBuffer, m: number, k: number, n: number, transposeA = false,
): { out: GPUBuffer; scratch: GPUBuffer[] } {
  if ([m, k, n].some((v) => !Number.isInteger(v) || v < 1)) throw new Error(`encodeMatmul: sizes must be positive whole numbers, got m=${m} k=${k} n=${n}.`);
  if (a.size < m * k * 4 || b.size < k * n * 4) {
    throw new Error(`encodeMatmul: a ${m}×${k} by ${k}×${n} product needs ${m * k * 4} and ${k * n * 4} bytes, the buffers have ${a.size} and ${b.size}.`);
  }
  const gx = Math.ceil(n / T), gy = Math.ceil(m / T);
  if (gx > 65535 || gy > 65535) throw new Error(`encodeMatmul: a ${m} × ${n} result needs more than 65535 tiles on a side; split the product.`);
  const params = uploadUniform(rt, [m, k, n, 0], 'matmul_f32.params');
  const out = rt.pool.acquire(m * n * 4, storageUsage(), 'matmul_f32.c');
  const pipeline = rt.pipelines.get('matmul_f32', 'matmul', { TRANSPOSE_A: transposeA ? 1 : 0 });
  encodePass(rt, encoder, pipeline, { 0: params, 1: a, 2: b, 3: out }, [gx, gy]);
  return { out, scratch: [params] };
}

/** Uploads, multiplies on the GPU, reads back: the same bits as matmulF32(a, b, m, k, n, transposeA). */
export async function matmulGpu(rt: GpuRuntime, a: Float32Array, b: Float32Array, m: number, k: number, n: number, transposeA = false): Promise<Float32Array> {
  const aBuffer = uploadStorage(rt, a, 'matmul_f32.a');
  try {
    return await multiply(rt, aBuffer, b, m, k, n, transposeA);
  } finally {
    void rt.pool.releaseAfterSubmit([aBuffer]);
  }
}

async function multiply(rt: GpuRuntime, a: GPUBuffer, b: Float32Array, m: number, k: number, n: number, transposeA: boolean): Promise<Float32Array> {
  const bBuffer = uploadStorage(rt, b, 'matmul_f32.b');
  const encoder = rt.device.createCommandEncoder({ label: 'matmul_f32' });
  const { out, scratch } = encodeMatmul(rt, encoder, a, bBuffer, m, k, n, transposeA);
  try {
    const [bytes] = await readBuffers(rt.device, encoder, [out]);
    return new Float32Array(bytes, 0, m * n);
  } finally {
    void rt.pool.releaseAfterSubmit([bBuffer, out, ...scratch]);
  }
}

/**
 * Randomized SVD of the row-major f32[rows · cols] matrix `a` with its products on the GPU (A is
 * uploaded once); the same bits as randomizedSvd(a, rows, cols, params, 'f32') on the CPU.
 */
export async function randomizedSvdGpu(rt: GpuRuntime, a: Float32Array, rows: number, cols: number, params: RandomizedSvdParams): Promise<TruncatedSvd> {
  if (a.length !== rows * cols) throw new Error(`randomizedSvdGpu: a ${rows} × ${cols} matrix needs ${rows * cols} values, got ${a.length}.`);
  const aBuffer = uploadStorage(rt, a, 'matmul_f32.a');
  const product = async ({ transpose, x, k }: ProductRequest): Promise<Float64Array> => {
    const m = transpose ? cols : rows, inner = transpose ? rows : cols;
    return Float64Array.from(await multiply(rt, aBuffer, Float32Array.from(x), m, inner, k, transpose));
  };
  try {
    return await runStepsAsync(randomizedSvdSteps(rows, cols, params), product);
  } finally {
    void rt.pool.releaseAfterSubmit([aBuffer]);
  }
}
