// gpu: table-driven element/codebook/shared-scale quantize/dequantize kernels (shaders/quant_table.wgsl) — twin of src/quant/formats.
import { doubleDequantize, doubleQuantize, type ScaleType, storeScale } from '../../quant/formats/absmax';
import { type Codebook, IQ4NL } from '../../quant/formats/codebooks';
import { E2M1, type FpFormat } from '../../quant/formats/fp';
import { elementClipThreshold, elementGrid, type ElementOptions } from '../../quant/formats/elementOptions';
import { bitsF32, divRn, F32_MAX, f32, f32Bits } from '../../lib/f32';
import { decodeLog, type LogFormat, logMagnitudes, logThresholds } from '../../quant/nonuniform/log2';
import type { MxElement } from '../../quant/formats/mx';
import { absMaxOf, type GroupLayout, groupIndices } from '../../quant/groups';
import { packedWordCount } from '../../quant/pack';
import { assert } from '../../lib/assert';
import { ternaryCode } from '../../quant/nonuniform/ternary';
import { grid2d } from '../dispatch';
import { readBuffers } from '../readback';
import { encodePass, type GpuRuntime, storageUsage, uploadStorage, uploadUniform } from '../runtime';
import { groupLayoutWords } from './groupUniform';
import { groupParamsWorkgroup } from './quantInt';

const WG = 256;
const AMAX_PER_WORKGROUP = WG * 16; // AMAX_PER_THREAD in the shader

/**
 * What to run. Each kind is the GPU twin of one CPU function:
 * - `fp`: plain element format, no scale (FpFormat.encode/decode, src/quant/formats/fp.ts);
 * - `scaled-fp`: element format with an fp32 absmax/max scale per group (quantizeScaledFp);
 * - `mx`: OCP MX block (quantizeMx; use `groupLayout(r, c, 'block', 32)`);
 * - `nvfp4`: E2M1 + E4M3 block scale + fp32 tensor scale (quantizeNvfp4; block 16);
 * - `absmax`: codebook with absmax scale stored as fp32/fp16/bf16 (quantizeAbsmax; with double
 *   quant the host rewrites the scales and reruns {@link encodeTableDecode});
 * - `codebook`: any monotone codebook applied to x itself, no scale (the `fp` mode with a codebook's
 *   table): typed codebooks with raw levels, Lloyd-Max codebooks fitted on the CPU, and per-tensor
 *   scaled element formats folded into the codebook ({@link tensorScaledCodebook});
 * - `meanabs`: binary (quantizeBinary: {@link BINARY_CODEBOOK} on x) and ternary absmean
 *   (quantizeTernary: {@link TERNARY_CODEBOOK} on x · 1/γ), scale from meanAbs (binary.ts).
 */
export type TableFormat =
  | { readonly kind: 'fp'; readonly format: FpFormat }
  | { readonly kind: 'scaled-fp'; readonly format: FpFormat; readonly options?: KernelElementOptions }
  | { readonly kind: 'mx'; readonly element: MxElement; readonly options?: KernelElementOptions }
  | { readonly kind: 'nvfp4' }
  | {
    readonly kind: 'absmax'; readonly codebook: Codebook; readonly scaleType: ScaleType;
    /**
     * Let table bounds lie among f32 subnormals (a strict `x > 0` threshold puts one at 2^-149):
     * exact where the adapter keeps subnormal products (llvmpipe); hardware that flushes them may
     * differ for products below 2^-126, the caveat the shader header already states for ABSMAX.
     */
    readonly subnormalBounds?: boolean;
  }
  | { readonly kind: 'codebook'; readonly codebook: Codebook }
  | {
    /**
     * Scale max(mean|x|, floor) per group (meanAbs in binary.ts, exact fixed-point sum) stored in
     * `scaleType`; `raw`: codes of x itself (binary), else codes of f32(x · f32(1/scale)) (ternary).
     */
    readonly kind: 'meanabs'; readonly codebook: Codebook; readonly scaleType: ScaleType;
    readonly floor: number; readonly raw: boolean;
  }
  /** llama.cpp IQ4_NL (quantizeIq4nl: kvalues codebook on f32(x · id), least-squares refit stored in `scaleType`, ggml: fp16; block 32). */
  | { readonly kind: 'iq4nl'; readonly scaleType: ScaleType };

/**
 * ElementOptions (src/quant/formats/elementOptions.ts) as the kernel takes them, for `scaled-fp`
 * and `mx`: build with {@link kernelElementOptions}.
 */
export interface KernelElementOptions {
  /** Stochastic rounding's seed; absent: round to nearest (the table's encode). */
  readonly stochasticSeed?: number;
  /** Cap on every group's absmax (a percentile clip's per-tensor threshold); absent: none. */
  readonly clipThreshold?: number;
}

/** The kernel's form of `options` for tensor x: the percentile threshold computed here, on the CPU (as quantizeMx / quantizeScaledFp do). */
export function kernelElementOptions(x: Float32Array, options: ElementOptions | undefined): KernelElementOptions | undefined {
  if (!options) return undefined;
  const threshold = elementClipThreshold(x, options);
  return {
    ...(options.rounding === 'stochastic' ? { stochasticSeed: options.seed ?? 0 } : {}),
    ...(threshold < Infinity ? { clipThreshold: threshold } : {}),
  };
}

/** MODE override values of quant_table.wgsl (meanabs: 5, or 6 when raw). */
const MODE = { fp: 0, mx: 1, absmax: 2, 'scaled-fp': 3, nvfp4: 4, codebook: 0, meanabs: 5, iq4nl: 7 } as const;

/** quantizeBinary's codes as a codebook on x: 1 for x >= 0 (±0 and NaN included), 0 for x < 0; levels ±1. */
export const BINARY_CODEBOOK: Codebook = {
  id: 'binary', bits: 1, levels: [-1, 1],
  encode: (x) => (x < 0 ? 0 : 1),
  decode: (c) => (c ? 1 : -1),
};

/** quantizeTernary's codes (t + 1) as a codebook on u = f32(x · inv): ternaryCode(u, 1) + 1; levels t. */
export const TERNARY_CODEBOOK: Codebook = {
  id: 'ternary', bits: 2, levels: [-1, 0, 1], // code 3 is unused (decodes to 2)
  encode: (u) => (Number.isNaN(u) ? 1 : ternaryCode(u, 1) + 1),
  decode: (c) => c - 1,
};
const STORE: Readonly<Record<ScaleType, number>> = { fp32: 0, fp16: 1, bf16: 2 };

/** An element encoder as the shader sees it: a partition of the f32 key line into coded intervals. */
export interface ElementTable {
  readonly bits: number;
  /** First key of every interval but the first, ascending (see {@link f32Key}). */
  readonly bounds: Uint32Array;
  /** Code of each interval (bounds.length + 1). */
  readonly codes: Uint32Array;
  /** f32 bits of decode(code) for every code 0..2^bits-1 (NaN where the code is not a value). */
  readonly levels: Uint32Array;
  /** Code the CPU encoder gives NaN (bitsandbytes trees: 0). */
  readonly nanCode: number;
}

/** Order-preserving u32 key of f32 bits: negatives reversed below positives, -0 just below +0 (f32_key in WGSL). */
export function f32Key(bits: number): number {
  return (bits & 0x80000000 ? ~bits : bits | 0x80000000) >>> 0;
}

function keyValue(key: number): number {
  return bitsF32(key & 0x80000000 ? key & 0x7fffffff : ~key >>> 0);
}

const KEY_MIN = f32Key(0xff800000); // -inf
const KEY_MAX = f32Key(0x7f800000); // +inf
const F32_MIN_NORMAL = 2 ** -126;

/**
 * Builds the interval table of a monotone encoder by bisection over f32 keys: each code must own
 * one contiguous key interval (true of every format here; asserted by distinct codes). Bounds are
 * the exact first f32 of each interval, so the encoder's tie rules come along for free. Asserts
 * that no bound lies strictly inside the f32 subnormal range (GPUs may flush subnormals) unless
 * `subnormalBounds` (plain `codebook` mode compares the input's bits, so such bounds are exact there).
 */
export function buildElementTable(
  bits: number, encode: (x: number) => number, decode: (code: number) => number, subnormalBounds = false,
): ElementTable {
  const enc = (key: number): number => encode(keyValue(key));
  const bounds: number[] = [];
  const codes = [enc(KEY_MIN)];
  let lo = KEY_MIN;
  const top = enc(KEY_MAX);
  while (codes[codes.length - 1] !== top) {
    const c = codes[codes.length - 1];
    let a = lo, b = KEY_MAX; // enc(a) === c, enc(b) !== c
    while (b - a > 1) {
      const mid = a + Math.floor((b - a) / 2);
      if (enc(mid) === c) a = mid; else b = mid;
    }
    bounds.push(b);
    codes.push(enc(b));
    lo = b;
    assert(codes.length <= 2 ** bits, `buildElementTable: more intervals than codes (${bits} bits): encoder not monotone`);
  }
  assert(new Set(codes).size === codes.length, 'buildElementTable: a code owns two intervals: encoder not monotone');
  for (const k of subnormalBounds ? [] : bounds) {
    const v = Math.abs(keyValue(k));
    assert(v === 0 || v >= F32_MIN_NORMAL, `buildElementTable: bound ${keyValue(k)} is an f32 subnormal`);
  }
  let nanCode = 0;
  try { nanCode = encode(NaN); } catch { /* no NaN encoding: the shader never asks for one in these modes */ }
  const levels = Uint32Array.from({ length: 2 ** bits }, (_, c) => f32Bits(decode(c)));
  return { bits, bounds: Uint32Array.from(bounds), codes: Uint32Array.from(codes), levels, nanCode };
}

const tableCache = new WeakMap<object, ElementTable>();
const subnormalTableCache = new WeakMap<object, ElementTable>();

function cachedTable(
  owner: object, bits: number, encode: (x: number) => number, decode: (c: number) => number, subnormalBounds = false,
): ElementTable {
  const cache = subnormalBounds ? subnormalTableCache : tableCache;
  let t = cache.get(owner);
  if (!t) {
    t = buildElementTable(bits, encode, decode, subnormalBounds);
    cache.set(owner, t);
  }
  return t;
}

/** The element table the shader uses for `format` (built once per element format or codebook). */
export function tableFor(format: TableFormat): ElementTable {
  switch (format.kind) {
    case 'fp':
    case 'scaled-fp': return cachedTable(format.format, format.format.bits, format.format.encode, format.format.decode);
    case 'mx': return cachedTable(format.element, format.element.bits, format.element.encode, format.element.decode);
    // quantizeNvfp4 clamps to ±6 before E2M1.encode, which saturates there anyway.
    case 'nvfp4': return cachedTable(E2M1, E2M1.bits, E2M1.encode, E2M1.decode);
    case 'iq4nl': return cachedTable(IQ4NL, IQ4NL.bits, IQ4NL.encode, IQ4NL.decode);
    case 'absmax': case 'codebook': case 'meanabs': {
      const cb = format.codebook;
      return cachedTable(cb, cb.bits, cb.encode, cb.decode, format.kind === 'codebook' || (format.kind === 'absmax' && format.subnormalBounds === true));
    }
  }
}

/**
 * `cb` for the `absmax` mode when the CPU method sets 1/scale := 0 for a zero stored scale
 * (userCodebook.ts, log2.ts): there every element of the group encodes as f32(x · 0) = ±0, while
 * the kernel computes 0 · inf = NaN and writes the table's NaN code; this codebook's NaN code is the
 * code of 0 (the same as -0's for these encoders). A nonzero x under a zero stored scale (an fp16
 * scale that rounded to 0) still differs: the kernel gives x · inf, so callers must keep those
 * tensors on the CPU (see {@link hasFlushedScale}).
 */
export function zeroScaleAsZero(cb: Codebook): Codebook {
  const zero = cb.encode(0);
  return { ...cb, id: `${cb.id}:zero-scale`, encode: (x) => (Number.isNaN(x) ? zero : cb.encode(x)) };
}

/** Whether some group of x has a nonzero absmax whose stored scale rounds to 0 (the case {@link zeroScaleAsZero} cannot match). */
export function hasFlushedScale(x: Float32Array, layout: GroupLayout, scaleType: ScaleType): boolean {
  if (scaleType === 'fp32') return false;
  for (let g = 0; g < layout.groupCount; g++) {
    const amax = absMaxOf(x, groupIndices(layout, g));
    if (amax !== 0 && storeScale(amax, scaleType) === 0) return true;
  }
  return false;
}

/**
 * The log quantizer of log2.ts as a codebook on u = f32(x · inv): sign bit when u < 0 and the
 * magnitude code is nonzero, magnitude code from logThresholds on |u|; level = ±magnitude (the
 * kernel's f32(level · scale) is decodeLog's ±f32(magnitude · scale)).
 */
export function logCodebook(format: LogFormat): Codebook {
  const t = logThresholds(format), mags = logMagnitudes(format);
  const signBit = 1 << (format.bits - 1);
  const magnitudeCode = (u: number): number => {
    let j = 0;
    while (j < t.length && u > t[j]) j++;
    return j === 0 ? 0 : t.length + 1 - j;
  };
  const decode = (code: number): number => decodeLog(code, 1, mags, format.bits);
  return {
    id: `log${format.base}-${format.bits}-${format.rounding}`,
    bits: format.bits,
    levels: Array.from({ length: 1 << format.bits }, (_, c) => decode(c)),
    encode(u) {
      const m = magnitudeCode(Math.abs(u));
      return m !== 0 && u < 0 ? signBit | m : m;
    },
    decode,
  };
}

/**
 * An element format with one fp32 scale for the whole tensor (llmFp4.ts), as a codebook on x:
 * encode(x) = format.encode(f32(x · inv)), inv = f32(1/scale) (0 for scale 0), and level
 * f32(decode(code) · scale). Both are monotone in x, so the `codebook` mode runs it bit-exactly.
 */
export function tensorScaledCodebook(format: FpFormat, scale: number): Codebook {
  const inv = scale === 0 ? 0 : divRn(1, scale);
  const decode = (code: number): number => f32(format.decode(code) * scale);
  return {
    id: `tensor-scaled:${format.spec.e}.${format.spec.m}`,
    bits: format.bits,
    levels: Array.from({ length: 1 << format.bits }, (_, c) => decode(c)),
    // ±inf (only met while building the table) is clamped so inv = 0 gives ±0, not NaN.
    encode: (x) => format.encode(f32(Math.min(F32_MAX, Math.max(-F32_MAX, x)) * inv)),
    decode,
  };
}

/**
 * Buffers of one quantize/dequantize job (pooled; release them after submit).
 * - `words`: packed codes, as packCodes (src/quant/pack.ts);
 * - `xhat`: dequantized f32 values;
 * - `groups`: u32 pairs per group: [2g] the stored scale (mx: E8M0 code; nvfp4: E4M3 code;
 *   absmax, scaled-fp: f32 bits of the scale), [2g+1] the encoder's factor (see the shader header);
 * - `tensor`: u32[2]: nvfp4's tensor amax bits and tensorScale bits.
 */
export interface TableQuantBuffers {
  readonly uniform: GPUBuffer;
  readonly table: GPUBuffer;
  readonly groups: GPUBuffer;
  readonly words: GPUBuffer;
  readonly xhat: GPUBuffer;
  readonly tensor: GPUBuffer;
}

/**
 * Encodes [tensor_amax →] group_params → encode → decode for the f32 tensor in `x` (n elements,
 * row-major, finite). `layout` is ignored for plain `fp`. Nothing is read back.
 */
export function encodeTableQuant(
  rt: GpuRuntime, encoder: GPUCommandEncoder, x: GPUBuffer, n: number, layout: GroupLayout, format: TableFormat,
): TableQuantBuffers {
  assert(n > 0 && layout.lines * layout.lineLen === n, 'encodeTableQuant: layout does not match tensor size');
  const t = tableFor(format);
  const wordCount = packedWordCount(n, t.bits);
  const levelsOff = 2 * t.bounds.length + 1;
  const tableData = new Uint32Array(levelsOff + t.levels.length);
  tableData.set(t.bounds, 0);
  tableData.set(t.codes, t.bounds.length);
  tableData.set(t.levels, levelsOff);
  const fmax = format.kind === 'scaled-fp' ? format.format.max : format.kind === 'meanabs' ? format.floor : 1;
  const options = format.kind === 'scaled-fp' || format.kind === 'mx' ? format.options : undefined;
  const uniform = uploadUniform(rt, [
    ...groupLayoutWords(n, layout), wordCount, t.bounds.length, levelsOff, t.nanCode, f32Bits(fmax), 0,
    (options?.stochasticSeed ?? 0) >>> 0, f32Bits(options?.clipThreshold ?? Infinity),
  ], 'quant_table.params');
  const bufs: TableQuantBuffers = {
    uniform,
    table: uploadStorage(rt, tableData, 'quant_table.table'),
    groups: rt.pool.acquire(layout.groupCount * 8, storageUsage(), 'quant_table.groups'),
    words: rt.pool.acquire(wordCount * 4, storageUsage(), 'quant_table.codes'),
    xhat: rt.pool.acquire(n * 4, storageUsage(), 'quant_table.xhat'),
    tensor: rt.pool.acquire(8, storageUsage(), 'quant_table.tensor'),
  };
  const pipe = (entry: string, wg = WG) => rt.pipelines.get('quant_table', entry, { ...tableConstants(format, t), WG: wg });
  if (format.kind === 'nvfp4') {
    encoder.clearBuffer(bufs.tensor);
    encodePass(rt, encoder, pipe('tensor_amax'), { 0: uniform, 1: x, 6: bufs.tensor }, grid2d(Math.ceil(n / AMAX_PER_WORKGROUP)));
  }
  if (format.kind !== 'fp' && format.kind !== 'codebook') {
    encodePass(rt, encoder, pipe('group_params', groupParamsWorkgroup(layout.groupSize)),
      { 0: uniform, 1: x, 2: bufs.table, 3: bufs.groups, 6: bufs.tensor }, grid2d(layout.groupCount));
  }
  encodePass(rt, encoder, pipe('encode'), { 0: uniform, 1: x, 2: bufs.table, 3: bufs.groups, 4: bufs.words }, grid2d(Math.ceil(wordCount / WG)));
  encodeTableDecode(rt, encoder, bufs, n, format);
  return bufs;
}

function tableConstants(format: TableFormat, t: ElementTable): Record<string, number> {
  const element = format.kind === 'scaled-fp' ? format.format : format.kind === 'mx' ? format.element : null;
  const stochastic = (format.kind === 'scaled-fp' || format.kind === 'mx') && format.options?.stochasticSeed !== undefined;
  const grid = stochastic && element ? elementGrid(element) : { m: 1, emin: 0 }; // the grid is unused without stochastic rounding
  return {
    WG, BITS: t.bits, MODE: format.kind === 'meanabs' && format.raw ? 6 : MODE[format.kind],
    STORE: format.kind === 'absmax' || format.kind === 'meanabs' || format.kind === 'iq4nl' ? STORE[format.scaleType] : 0,
    EMAX: format.kind === 'mx' ? format.element.emax : 0,
    STOCHASTIC: stochastic ? 1 : 0, SR_M: grid.m, SR_EMIN: grid.emin,
  };
}

/**
 * Encodes the decode pass alone: `bufs.xhat` from `bufs.words` and the scales in `bufs.groups`
 * (as {@link encodeTableQuant} left them, or rewritten by the host: NF4 + double quant replaces
 * the absmax scales by the ones double quant reconstructs before decoding).
 */
export function encodeTableDecode(rt: GpuRuntime, encoder: GPUCommandEncoder, bufs: TableQuantBuffers, n: number, format: TableFormat): void {
  const pipeline = rt.pipelines.get('quant_table', 'decode', tableConstants(format, tableFor(format)));
  encodePass(rt, encoder, pipeline, { 0: bufs.uniform, 2: bufs.table, 3: bufs.groups, 4: bufs.words, 5: bufs.xhat }, grid2d(Math.ceil(n / WG)));
}

/**
 * The CPU step of NF4 + double quant between the GPU's absmax pass and its decode: submits
 * `encoder` (holding an fp32-scale absmax {@link encodeTableQuant}), reads the `groupCount` absmax
 * scales back, double-quantizes them (doubleQuantize / doubleDequantize in src/quant/formats/absmax.ts,
 * bitsandbytes' nested 8-bit scales) and writes the reconstructed scales into `bufs.groups`, ready
 * for {@link encodeTableDecode}. Returns those scales (f32, one per group).
 */
export async function doubleQuantizeTableScales(
  rt: GpuRuntime, encoder: GPUCommandEncoder, bufs: TableQuantBuffers, groupCount: number,
): Promise<Float32Array> {
  const [groupsBytes] = await readBuffers(rt.device, encoder, [bufs.groups]);
  const groups = new Uint32Array(groupsBytes.slice(0, 8 * groupCount));
  const scales = doubleDequantize(doubleQuantize(Float32Array.from({ length: groupCount }, (_, g) => bitsF32(groups[2 * g]))));
  scales.forEach((v, g) => { groups[2 * g] = f32Bits(v); });
  rt.device.queue.writeBuffer(bufs.groups, 0, groups);
  return scales;
}
