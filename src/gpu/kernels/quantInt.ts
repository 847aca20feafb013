// gpu: block-wise integer quantize/dequantize kernels (shaders/quant_int.wgsl) — twin of src/quant/int.ts.
import { F32_MAX, f32Bits } from '../../lib/f32';
import type { IntClip } from '../../quant/clip';
import type { GroupLayout } from '../../quant/groups';
import { INT_MODES, intFormatProblem, type IntFormatParams, resolveIntFormat } from '../../quant/int';
import { packedWordCount } from '../../quant/pack';
import { SCALE_ENCODING_INDEX } from '../../quant/scaleEncoding';
import { grid2d } from '../dispatch';
import { encodePass, type GpuRuntime, storageUsage, uploadUniform } from '../runtime';
import { groupLayoutWords } from './groupUniform';

const WG = 256;
const CLIP_INDEX = { none: 0, percentile: 1, mse: 2 } as const;

/** Threads per group for the reduction: the group size rounded up to a power of two, 32..256, so small blocks don't idle 7/8 of a workgroup. */
export function groupParamsWorkgroup(groupSize: number): number {
  return Math.min(WG, Math.max(32, 2 ** Math.ceil(Math.log2(groupSize))));
}

/**
 * Elements each group_params thread folds into its min/max before the tree reduction: fewer
 * threads per group and fewer tree steps (each a workgroup barrier), as in Harris, "Optimizing
 * Parallel Reduction in CUDA" (NVIDIA, 2007), "algorithm cascading".
 */
const ELEMENTS_PER_THREAD = 8;

/** Threads per group of group_params without the MSE search: a power of two, 1..256, about groupSize / 8. */
export function intParamsThreads(groupSize: number): number {
  return Math.min(WG, 2 ** Math.max(0, Math.ceil(Math.log2(groupSize / ELEMENTS_PER_THREAD))));
}

/** Buffers produced by the quantize/dequantize passes (pooled; release them after submit). */
export interface IntQuantBuffers {
  readonly scales: GPUBuffer;
  readonly zeros: GPUBuffer;
  readonly invs: GPUBuffer;
  /** u32 per group: index into CLIP_RATIOS chosen by the MSE search (0 without it). */
  readonly ratios: GPUBuffer;
  readonly words: GPUBuffer;
  readonly xhat: GPUBuffer;
  readonly uniform: GPUBuffer;
}

/**
 * Encodes group_params → encode (packs the codes and writes x̂), or one quantize_chunks pass where
 * chunkThreadsPerGroup allows, for the f32 tensor in `x` (n elements, row-major).
 * Nothing is read back; the caller submits and reads what it needs.
 * `clipThreshold`: the percentile clip's per-tensor T, computed on the CPU with
 * `intClipThreshold(x, format)` from src/quant/int.ts; required when `format.clip` is a percentile.
 * `reuse`: buffers of an earlier call with the same n, layout and format to write into again (a
 * later pass in the same submit: passes run in order); only the uniform is new.
 */
export function encodeIntQuant(
  rt: GpuRuntime, encoder: GPUCommandEncoder, x: GPUBuffer, n: number,
  layout: GroupLayout, format: IntFormatParams, clipThreshold?: number, reuse?: IntQuantBuffers,
): IntQuantBuffers {
  const problem = intFormatProblem(format);
  if (problem !== null) throw new Error(`encodeIntQuant: ${problem}`);
  const f = resolveIntFormat(format);
  if (f.clip.kind === 'percentile' && clipThreshold === undefined) {
    throw new Error('encodeIntQuant: a percentile clip needs its threshold (intClipThreshold(x, format))');
  }
  const words = packedWordCount(n, f.bits);
  const uniform = uploadUniform(rt, [
    ...groupLayoutWords(n, layout), words, f.seed >>> 0, f32Bits(Math.min(clipThreshold ?? Infinity, F32_MAX)), 0, 0,
  ], 'quant_int.params');
  const g = layout.groupCount * 4;
  const bufs: IntQuantBuffers = reuse ? { ...reuse, uniform } : {
    uniform,
    scales: rt.pool.acquire(g, storageUsage(), 'quant_int.scales'),
    zeros: rt.pool.acquire(g, storageUsage(), 'quant_int.zeros'),
    invs: rt.pool.acquire(g, storageUsage(), 'quant_int.invs'),
    ratios: rt.pool.acquire(g, storageUsage(), 'quant_int.clip_ratios'),
    words: rt.pool.acquire(words * 4, storageUsage(), 'quant_int.codes'),
    xhat: rt.pool.acquire(n * 4, storageUsage(), 'quant_int.xhat'),
  };
  const pipe = (entry: string, wg = WG, gpw = 1) => rt.pipelines.get('quant_int', entry, { ...overridesOf(f), WG: wg, GPW: gpw });
  const chunkThreads = chunkThreadsPerGroup(layout, f.clip.kind);
  if (chunkThreads !== null) {
    encodePass(rt, encoder, pipe('quantize_chunks', WG, WG / chunkThreads), {
      0: uniform, 1: x, 2: bufs.scales, 3: bufs.zeros, 4: bufs.invs, 5: bufs.words, 6: bufs.xhat, 7: bufs.ratios,
    }, grid2d(Math.ceil(n / (32 * WG))));
    return bufs;
  }
  // The MSE search (one workgroup-wide reduction per candidate) gives each group a workgroup of
  // groupParamsWorkgroup threads. Without it, several groups share a 256-thread workgroup, about
  // 8 elements per thread (intParamsThreads), instead of launching 32-thread workgroups, which
  // would cap a GPU's occupancy at its workgroups-per-core limit.
  const mse = f.clip.kind === 'mse';
  const perGroup = mse ? groupParamsWorkgroup(layout.groupSize) : intParamsThreads(layout.groupSize);
  const gpw = mse ? 1 : WG / perGroup;
  encodePass(rt, encoder, pipe('group_params', perGroup * gpw, gpw), { 0: uniform, 1: x, 2: bufs.scales, 3: bufs.zeros, 4: bufs.invs, 7: bufs.ratios }, grid2d(Math.ceil(layout.groupCount / gpw)));
  encodePass(rt, encoder, pipe('encode'), { 0: uniform, 1: x, 2: bufs.scales, 3: bufs.zeros, 4: bufs.invs, 5: bufs.words, 6: bufs.xhat }, grid2d(Math.ceil(words / WG)));
  return bufs;
}

/**
 * Threads per group of the one-pass quantize_chunks kernel (one per 32 elements), or null when the
 * layout needs the two passes: groups must be contiguous, full (lines hold whole groups) and
 * 32·2^k elements long with 2^k <= 256 (a power-of-two share of a workgroup), and the MSE clip
 * search (a reduction per candidate ratio) keeps its own pass.
 */
export function chunkThreadsPerGroup(layout: GroupLayout, clip: IntClip['kind']): number | null {
  const t = layout.groupSize / 32;
  const fits = layout.contiguous && layout.lineLen % layout.groupSize === 0 && Number.isInteger(t) && t <= WG && (t & (t - 1)) === 0;
  return fits && clip !== 'mse' ? t : null;
}

/** The shader overrides of a resolved format (WG and GPW at their defaults). */
function overridesOf(f: ReturnType<typeof resolveIntFormat>): Record<string, number> {
  return {
    WG, GPW: 1, BITS: f.bits, MODE: INT_MODES.indexOf(f.mode), SCALE_ENC: SCALE_ENCODING_INDEX[f.scale],
    STOCHASTIC: f.rounding === 'stochastic' ? 1 : 0, CLIP: CLIP_INDEX[f.clip.kind],
  };
}

/**
 * Encodes the decode pass alone: bufs.xhat from bufs.words, bufs.scales and bufs.zeros, as left by
 * an encodeIntQuant call with the same n and format (its uniform is reused): the dequantization of
 * stored codes (encodeIntQuant's encode pass writes x̂ itself).
 */
export function encodeIntDecode(rt: GpuRuntime, encoder: GPUCommandEncoder, bufs: IntQuantBuffers, n: number, format: IntFormatParams): void {
  const pipeline = rt.pipelines.get('quant_int', 'decode', overridesOf(resolveIntFormat(format)));
  encodePass(rt, encoder, pipeline, { 0: bufs.uniform, 2: bufs.scales, 3: bufs.zeros, 5: bufs.words, 6: bufs.xhat }, grid2d(Math.ceil(n / WG)));
}
