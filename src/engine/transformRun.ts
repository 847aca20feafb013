// engine: the recipe's transform step: runs the method (rotation, k-means assignment and error statistics on the GPU on the WebGPU backend), measures x̂ against the original x, and gathers the Outliers view's before/after.
import { ensureAlive, withErrorScopes } from '../gpu/device';
import { decodeErrorStats, encodeErrorStats } from '../gpu/kernels/errorStats';
import { rotateRowsGpu } from '../gpu/kernels/hadamard';
import { applyVqGpu } from '../gpu/kernels/kmeans';
import { readBuffers } from '../gpu/readback';
import { type GpuRuntime, uploadStorage } from '../gpu/runtime';
import { type FormatChoice, quantizeWith } from '../quant/apply';
import type { GroupLayout } from '../quant/groups';
import { hadamardRotation, type HadamardRotation, type RotationDirection, rotateRows } from '../quant/hadamard/rotation';
import { type ErrorMetrics, errorMetrics, type ErrorSums, errorSums, type Histograms, histograms } from '../quant/metrics';
import { outlierAnatomy } from '../quant/transforms/anatomy';
import { type BaseQuantizer, baseQuantizer, type TransformResult, transformResult } from '../quant/transforms/base';
import { applyTransform, transformDescriptor } from '../quant/transforms/registry';
import { defaultRotationBlock, type RotationParams } from '../quant/transforms/rotation';
import { formatChoice } from '../spec/formatChoice';
import type { Recipe } from '../spec/schema';
import { type RecipeTransform, transformSpecOf } from '../spec/transformSchema';
import { argmax, type QuantBackend } from './backend';
import type { ProgressFn } from './experiment';
import type { DeviceInfo, SeedError, TensorResult, TransformDetails, TransformOutcome } from './types';

/** Sign seeds the Hadamard seed spread compares (the chosen one and the next three). */
export const SPREAD_SEEDS = 4;
/** Above this many weights the seed spread is skipped: three more rotations and quantizations would slow every change. */
export const SPREAD_MAX_ELEMENTS = 1 << 22;
/** Storage of the rotation's sign seed (src/quant/transforms/rotation.ts counts the same). */
const SEED_BITS = 32;

/** What the transform step works on, besides the result of the format alone. */
export interface TransformJob {
  /** The original tensor, row-major f32[rows · cols]. */
  readonly x: Float32Array;
  readonly rows: number;
  readonly cols: number;
  readonly recipe: Recipe;
  readonly transform: RecipeTransform;
  readonly backend: QuantBackend;
  readonly onProgress: ProgressFn;
  /** Throws when the run has been cancelled or superseded. */
  readonly check: () => void;
}

interface Context extends TransformJob {
  readonly gpu: GpuRuntime | null;
  readonly choice: FormatChoice;
  readonly quantize: BaseQuantizer;
  readonly layout: GroupLayout;
  /** Filled as GPU steps run (TransformOutcome.gpuSteps). */
  readonly gpuSteps: string[];
}

interface MethodRun {
  readonly result: TransformResult<unknown>;
  readonly details: TransformDetails;
  readonly quantizedOn: DeviceInfo['backend'];
}

/**
 * Applies the recipe's transform to the tensor of `base` (the result of the format alone, which
 * becomes the baseline) and returns the result the views show: x̂ is the method's reconstruction
 * in the original basis, its metrics and histograms are against the original x, bits per weight
 * are the method's (base + extra). The Hadamard rotation adds its before/after and seed spread.
 */
export async function withTransform(base: TensorResult, job: TransformJob): Promise<TensorResult> {
  const gpu = job.backend.runtime ?? null;
  const { recipe, x } = job;
  const choice = formatChoice(recipe);
  const quantize = baseQuantizer(choice, recipe.granularity.kind, recipe.granularity.blockSize);
  const c: Context = { ...job, gpu, choice, quantize, layout: quantize.layout(job.rows, job.cols), gpuSteps: [] };
  const label = transformDescriptor(job.transform.method).label;
  job.onProgress(0.45, `${label}: ${gpu ? 'on the GPU' : 'on the CPU'}`);
  const work = async () => {
    const method = await runMethod(c);
    job.check();
    job.onProgress(0.9, 'measuring against the original');
    return { method, measured: await measure(c, x, method.result.xhat) };
  };
  if (gpu) ensureAlive(gpu.ctx);
  const { method, measured } = gpu ? await withErrorScopes(gpu.device, 'transform step', work) : await work();
  if (gpu) c.gpuSteps.push('error statistics');
  const r = method.result, n = x.length;
  const vq = method.details.method === 'vq' ? method.details.info : null;
  const transform: TransformOutcome = {
    ...method.details, step: job.transform, label, baseline: base.metrics,
    baseBitsPerWeight: r.baseBits / n, extraBitsPerWeight: r.extraBits / n, gpuSteps: c.gpuSteps,
  };
  return {
    ...base,
    quantizedOn: method.quantizedOn,
    groupCount: vq ? vq.codebooks : base.groupCount,
    groupSize: vq ? n / vq.codebooks : base.groupSize,
    metrics: { ...errorMetrics(measured.sums), bitsPerWeight: r.bitsPerWeight, storageBytes: Math.ceil((r.baseBits + r.extraBits) / 8) },
    histograms: measured.histograms,
    levels: vq
      ? { group: 0, values: [], where: 'a scalar grid, which vector quantization does not have: it replaces each sub-vector by a codeword' }
      : { ...base.levels, where: `${base.levels.where} (the format alone, before the transform step)` },
    transform,
  };
}

/** Runs the method; Hadamard and (with a GPU) VQ have engine paths, the rest the CPU reference. */
async function runMethod(c: Context): Promise<MethodRun> {
  const t = c.transform;
  if (t.method === 'hadamard') return runHadamard(c, t.params);
  if (t.method === 'vq' && c.gpu) {
    const result = await applyVqGpu(c.gpu, c.x, c.rows, c.cols, t.params);
    c.gpuSteps.push('k-means assignment');
    return { result, details: { method: 'vq', info: result.info }, quantizedOn: 'webgpu' };
  }
  const result = applyTransform(transformSpecOf(t), c.x, c.rows, c.cols, c.quantize);
  // applyTransform dispatches on the method, so its info is that method's.
  return { result, details: { method: t.method, info: result.info } as TransformDetails, quantizedOn: 'cpu' };
}

function rotate(c: Context, w: Float32Array, rotation: HadamardRotation, direction: RotationDirection): Promise<Float32Array> {
  return c.gpu ? rotateRowsGpu(c.gpu, w, c.rows, rotation, direction) : Promise.resolve(rotateRows(w, c.rows, rotation, direction));
}

/**
 * src/quant/transforms/rotation.ts applyRotation with the rotations on the GPU when there is one
 * (shaders/hadamard.wgsl, bit-exact with rotateRows): W' = rotate(W), x̂ = unrotate(Q(W')), the
 * same x̂ and bits. W' and Q(W') are kept for the before/after.
 */
async function runHadamard(c: Context, p: RotationParams): Promise<MethodRun> {
  const { rows, cols } = c;
  const seed = p.seed === undefined ? 0 : p.seed;
  const rotation = hadamardRotation(cols, { block: p.block ?? defaultRotationBlock(cols), seed });
  const rotated = await rotate(c, c.x, rotation, 'forward');
  const q = quantizeWith(rotated, c.layout, c.choice);
  const xhat = await rotate(c, q.xhat, rotation, 'inverse');
  if (c.gpu) c.gpuSteps.push('Hadamard rotation');
  c.check();
  const result = transformResult(xhat, rows, cols, c.quantize.bits(rows, cols), seed === null ? 0 : SEED_BITS, { block: rotation.block, order: rotation.order });
  c.onProgress(0.6, 'measuring the rotated weights');
  const inRotated = await measure(c, rotated, q.xhat);
  const spread = await seedSpread(c, rotation, errorMetrics(inRotated.sums));
  return {
    result,
    details: {
      method: 'hadamard', info: result.info,
      rotation: {
        seed, anatomy: outlierAnatomy(rotated, rows, cols), histograms: inRotated.histograms,
        levels: q.levels(argmax(q.groupScales)), seedSpread: spread.seeds, seedSpreadNote: spread.note,
      },
    },
    quantizedOn: 'cpu',
  };
}

/**
 * The error of SPREAD_SEEDS sign seeds, each in the rotated basis: the chosen seed's from `chosen`,
 * the others quantized by the backend (its kernels on the GPU). The plain matrix (seed null) is
 * compared with seeds 0..3.
 */
async function seedSpread(c: Context, rotation: HadamardRotation, chosen: ErrorMetrics): Promise<{ seeds: SeedError[]; note: string | null }> {
  const n = c.x.length;
  if (n > SPREAD_MAX_ELEMENTS) {
    return { seeds: [], note: `Not measured: ${n.toLocaleString('en-US')} weights is more than ${SPREAD_MAX_ELEMENTS.toLocaleString('en-US')}, and each seed means another rotation and quantization.` };
  }
  const first = rotation.seed ?? 0;
  const seeds: SeedError[] = rotation.seed === null ? [] : [{ seed: first, mse: chosen.mse, sqnrDb: chosen.sqnrDb }];
  for (let k = seeds.length; seeds.length < SPREAD_SEEDS; k++) {
    c.check();
    c.onProgress(0.6 + 0.25 * (seeds.length / SPREAD_SEEDS), `comparing sign seeds (${seeds.length + 1} of ${SPREAD_SEEDS})`);
    const seed = (first + k) >>> 0;
    const w = await rotate(c, c.x, hadamardRotation(c.cols, { block: rotation.block, seed }), 'forward');
    const m = errorMetrics((await c.backend.run(w, c.layout, c.choice)).sums);
    seeds.push({ seed, mse: m.mse, sqnrDb: m.sqnrDb });
  }
  return { seeds, note: null };
}

/** Error sums and histograms of x against x̂: the GPU's reduction when there is one, else the CPU reference (f64). */
async function measure(c: Context, x: Float32Array, xhat: Float32Array): Promise<{ sums: ErrorSums; histograms: Histograms }> {
  if (!c.gpu) {
    const sums = errorSums(x, xhat);
    return { sums, histograms: histograms(x, xhat, sums) };
  }
  const rt = c.gpu;
  const encoder = rt.device.createCommandEncoder({ label: 'lowbit.transform_measure' });
  const xBuf = uploadStorage(rt, x, 'transform.x');
  const xhatBuf = uploadStorage(rt, xhat, 'transform.xhat');
  const s = encodeErrorStats(rt, encoder, xBuf, xhatBuf, x.length);
  try {
    const [totals, hist] = await readBuffers(rt.device, encoder, [s.totals, s.hist]);
    return decodeErrorStats(new Float32Array(totals), new Uint32Array(hist), x.length);
  } finally {
    void rt.pool.releaseAfterSubmit([xBuf, xhatBuf, s.totals, s.hist, ...s.scratch]);
  }
}
