// gpu: PTQTP trit-planes on WebGPU (shaders/quant_ptqtp.wgsl): the per-group alternating fit, packing, decode — twin of src/quant/nonuniform/ptqtp.ts.
import { assert } from '../../lib/assert';
import type { ScaleType } from '../../quant/formats/absmax';
import type { GroupLayout } from '../../quant/groups';
import { PTQTP_MAX_ITER } from '../../quant/nonuniform/ptqtp';
import { packedWordCount } from '../../quant/pack';
import { SCALE_ENCODING_INDEX } from '../../quant/scaleEncoding';
import { grid2d } from '../dispatch';
import { encodePass, type GpuRuntime, storageUsage, uploadUniform } from '../runtime';
import { groupLayoutWords } from './groupUniform';

const WG = 256; // encode and decode (fit runs 64 threads per group: PTQTP_LANES)

/** Buffers of a PTQTP job (pooled; release them after submit). */
export interface PtqtpBuffers {
  readonly uniform: GPUBuffer;
  /** u32 per element: (t1 + 1) | (t2 + 1) << 2. */
  readonly trits: GPUBuffer;
  /** f32[2 * groups]: stored a1 at 2g, a2 at 2g + 1 (quantizePtqtp's `scales`). */
  readonly scales: GPUBuffer;
  /** u32[2 * packedWordCount(n, 2)]: quantizePtqtp's `plane1` words, then its `plane2` words. */
  readonly words: GPUBuffer;
  /** f32[n]: dequantizePtqtp's values. */
  readonly xhat: GPUBuffer;
}

/**
 * Encodes fit → encode → decode of `quantizePtqtp(x, layout, scaleType)` for the f32 tensor in `x`
 * (n elements, row-major, finite): trits, stored scales, packed planes and dequantized values equal
 * the CPU reference bit for bit (shaders/quant_ptqtp.wgsl; subnormal caveat there). Nothing is read back.
 */
export function encodePtqtp(
  rt: GpuRuntime, encoder: GPUCommandEncoder, x: GPUBuffer, n: number, layout: GroupLayout, scaleType: ScaleType,
): PtqtpBuffers {
  assert(n > 0 && layout.lines * layout.lineLen === n, 'encodePtqtp: layout does not match tensor size');
  assert(layout.groupSize < 2 ** 24, 'encodePtqtp: groups must be shorter than 2^24 elements');
  const words = packedWordCount(n, 2);
  const uniform = uploadUniform(rt, [
    ...groupLayoutWords(n, layout), words, 0,
  ], 'quant_ptqtp.params');
  const bufs: PtqtpBuffers = {
    uniform,
    trits: rt.pool.acquire(n * 4, storageUsage(), 'quant_ptqtp.trits'),
    scales: rt.pool.acquire(layout.groupCount * 8, storageUsage(), 'quant_ptqtp.scales'),
    words: rt.pool.acquire(words * 8, storageUsage(), 'quant_ptqtp.planes'),
    xhat: rt.pool.acquire(n * 4, storageUsage(), 'quant_ptqtp.xhat'),
  };
  const pipe = (entry: string) => rt.pipelines.get('quant_ptqtp', entry, { SCALE_ENC: SCALE_ENCODING_INDEX[scaleType], MAX_ITER: PTQTP_MAX_ITER });
  encodePass(rt, encoder, pipe('fit'), { 0: uniform, 1: x, 2: bufs.trits, 3: bufs.scales }, grid2d(layout.groupCount));
  encodePass(rt, encoder, pipe('encode'), { 0: uniform, 2: bufs.trits, 4: bufs.words }, grid2d(Math.ceil((2 * words) / WG)));
  encodePass(rt, encoder, pipe('decode'), { 0: uniform, 2: bufs.trits, 3: bufs.scales, 5: bufs.xhat }, grid2d(Math.ceil(n / WG)));
  return bufs;
}
