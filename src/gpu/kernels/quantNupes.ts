// gpu: NUPES on WebGPU (shaders/quant_nupes.wgsl + quant_int.wgsl): the exponent search's errors and the companded INT coding — twin of src/quant/nonuniform/nupes.ts.
import { assert } from '../../lib/assert';
import { f32Bits } from '../../lib/f32';
import type { GroupLayout } from '../../quant/groups';
import { expandExponent, NUPES_GRID } from '../../quant/nonuniform/nupes';
import { grid2d } from '../dispatch';
import { encodePass, type GpuRuntime, storageUsage, uploadUniform } from '../runtime';
import { groupLayoutWords } from './groupUniform';
import { encodeIntQuant, groupParamsWorkgroup, type IntQuantBuffers } from './quantInt';

const WG = 256;

function uniformFor(rt: GpuRuntime, n: number, layout: GroupLayout, exponent: number, candidate: number): GPUBuffer {
  return uploadUniform(rt, [
    ...groupLayoutWords(n, layout), f32Bits(exponent), candidate, 0,
  ], 'quant_nupes.params');
}

/** Encodes dst = signedPowF32(src, exponent) element-wise (n f32 values); returns the uniform to release. */
function encodeCompand(rt: GpuRuntime, encoder: GPUCommandEncoder, src: GPUBuffer, dst: GPUBuffer, n: number, layout: GroupLayout, exponent: number): GPUBuffer {
  const uniform = uniformFor(rt, n, layout, exponent, 0);
  encodePass(rt, encoder, rt.pipelines.get('quant_nupes', 'compand'), { 0: uniform, 1: src, 2: dst }, grid2d(Math.ceil(n / WG)));
  return uniform;
}

/** Buffers of a NUPES quantization with a fixed exponent (pooled; release them all after submit). */
export interface NupesBuffers {
  /** The INT coding of the companded tensor: scales, zeros, packed codes; its `xhat` holds the companded values. */
  readonly inner: IntQuantBuffers;
  /** f32[n]: dequantizeNupes' values. */
  readonly xhat: GPUBuffer;
  readonly scratch: readonly GPUBuffer[];
}

/**
 * Encodes `quantizeNupes(x, layout, bits, a)` (a given) and its dequantization: compand → quant_int
 * (sym, fp32) → expand. Codes, scales and `xhat` equal the CPU reference bit for bit.
 */
export function encodeNupesQuant(
  rt: GpuRuntime, encoder: GPUCommandEncoder, x: GPUBuffer, n: number, layout: GroupLayout, bits: number, a: number,
): NupesBuffers {
  const y = rt.pool.acquire(n * 4, storageUsage(), 'quant_nupes.companded');
  const u1 = encodeCompand(rt, encoder, x, y, n, layout, a);
  const inner = encodeIntQuant(rt, encoder, y, n, layout, { bits, symmetric: true });
  const xhat = rt.pool.acquire(n * 4, storageUsage(), 'quant_nupes.xhat');
  const u2 = encodeCompand(rt, encoder, inner.xhat, xhat, n, layout, expandExponent(a));
  return { inner, xhat, scratch: [y, u1, u2] };
}

/** Buffers of the exponent search (pooled; release them all after submit). */
export interface NupesSearchBuffers {
  /** u32[2 · groups · NUPES_GRID.length]: groupErrorSums of candidate k at [2·k·groups, 2·(k+1)·groups). */
  readonly sums: GPUBuffer;
  readonly scratch: readonly GPUBuffer[];
}

/**
 * Encodes the whole exponent search of `quantizeNupes(x, layout, bits)`: for every NUPES_GRID
 * exponent, the companded INT coding and its per-group exact error sums (groupErrorSums). Read
 * `sums` back and pick with meanOfGroupErrors + bestExponent: the same choice as the CPU.
 */
export function encodeNupesSearch(
  rt: GpuRuntime, encoder: GPUCommandEncoder, x: GPUBuffer, n: number, layout: GroupLayout, bits: number,
): NupesSearchBuffers {
  assert(n > 0 && layout.lines * layout.lineLen === n, 'encodeNupesSearch: layout does not match tensor size');
  const sums = rt.pool.acquire(8 * layout.groupCount * NUPES_GRID.length, storageUsage(), 'quant_nupes.sums');
  const y = rt.pool.acquire(n * 4, storageUsage(), 'quant_nupes.companded');
  const xhat = rt.pool.acquire(n * 4, storageUsage(), 'quant_nupes.xhat');
  const scratch: GPUBuffer[] = [y, xhat];
  let inner: IntQuantBuffers | undefined;
  const errorPipeline = rt.pipelines.get('quant_nupes', 'group_error', { WG: groupParamsWorkgroup(layout.groupSize) });
  NUPES_GRID.forEach((a, k) => {
    scratch.push(encodeCompand(rt, encoder, x, y, n, layout, a));
    inner = encodeIntQuant(rt, encoder, y, n, layout, { bits, symmetric: true }, undefined, inner);
    scratch.push(inner.uniform, encodeCompand(rt, encoder, inner.xhat, xhat, n, layout, expandExponent(a)));
    const uniform = uniformFor(rt, n, layout, a, k);
    scratch.push(uniform);
    encodePass(rt, encoder, errorPipeline, { 0: uniform, 3: x, 4: xhat, 5: sums }, grid2d(layout.groupCount));
  });
  const last = inner as IntQuantBuffers;
  scratch.push(last.scales, last.zeros, last.invs, last.ratios, last.words, last.xhat);
  return { sums, scratch };
}
