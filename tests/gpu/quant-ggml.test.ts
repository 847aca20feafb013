// tests: ggml_decode.wgsl / ggml_quant.wgsl (ggml Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q4_K, Q6_K) against src/quant/ggml, bit for bit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  encodeGgmlDequant, encodeGgmlQuant, ggmlBytesToWords, uploadGgmlBytes,
} from '../../src/gpu/kernels/quantGgml';
import { grid2d } from '../../src/gpu/dispatch';
import { readBuffers } from '../../src/gpu/readback';
import { encodePass, type GpuRuntime, storageUsage, uploadStorage } from '../../src/gpu/runtime';
import { shaderSource } from '../../src/gpu/shaders';
import { GGML_FORMATS, type GgmlBlockType, fp16BitsToFp32, fp32ToFp16Bits } from '../../src/quant/ggml';
import { roundAway } from '../../src/quant/ggml/common';
import { bitsF32, f32Bits } from '../../src/lib/f32';
import { createRng, normal, studentT } from '../../src/lib/rng';
import { packScalesK4 } from '../support/ggmlBlocks';
import { createTestRuntime, destroyRuntime } from './harness';

let rt: GpuRuntime;
beforeAll(async () => { rt = await createTestRuntime(); });
afterAll(() => destroyRuntime(rt));

type Rand = () => number;
const ALL_TYPES = Object.keys(GGML_FORMATS) as GgmlBlockType[];
/** The 32-element formats (K-quants: tests/gpu/quant-kquant.test.ts). */
const LEGACY: GgmlBlockType[] = ['Q8_0', 'Q4_0', 'Q4_1', 'Q5_0', 'Q5_1'];

const nextUp = (v: number): number => (v === 0 ? 2 ** -149 : bitsF32(f32Bits(v) + (v > 0 ? 1 : -1)));
const nextDown = (v: number): number => -nextUp(-v);
const isNanBits = (b: number): boolean => (b & 0x7fffffff) > 0x7f800000;

/** GPU dequantization of `bytes` (a [rows, cols] tensor of `type`), read back as f32 bits. */
async function gpuDequant(bytes: Uint8Array, type: GgmlBlockType, rows: number, cols: number, byteOffset = 0): Promise<Uint32Array> {
  const padded = new Uint8Array(byteOffset + bytes.length);
  padded.set(bytes, byteOffset);
  const enc = rt.device.createCommandEncoder({ label: `test.ggml_decode.${type}` });
  const src = uploadGgmlBytes(rt, padded, 'test.ggml.bytes');
  const q = encodeGgmlDequant(rt, enc, src, type, rows, cols, byteOffset);
  const [xhat] = await readBuffers(rt.device, enc, [q.xhat]);
  void rt.pool.releaseAfterSubmit([src, q.uniform, q.xhat]);
  return new Uint32Array(xhat, 0, rows * cols);
}

/** GPU quantization of the f32 [rows, cols] tensor `x`, read back as block bytes. */
async function gpuQuant(x: Float32Array, type: GgmlBlockType, rows: number, cols: number): Promise<Uint8Array> {
  const enc = rt.device.createCommandEncoder({ label: `test.ggml_quant.${type}` });
  const xb = uploadStorage(rt, x, 'test.ggml.x');
  const q = encodeGgmlQuant(rt, enc, xb, type, rows, cols);
  const [bytes] = await readBuffers(rt.device, enc, [q.bytes]);
  void rt.pool.releaseAfterSubmit([xb, q.uniform, q.bytes]);
  const out = new Uint8Array(bytes);
  expect(out.subarray(q.byteLength).every((b) => b === 0), 'padding bytes after the last block are zero').toBe(true);
  return out.slice(0, q.byteLength);
}

/** CPU reference: each row quantized on its own (as llama.cpp does), bytes concatenated. */
function cpuQuant(x: Float32Array, type: GgmlBlockType, rows: number, cols: number): Uint8Array {
  const f = GGML_FORMATS[type];
  const rowBytes = (cols / f.blockSize) * f.bytesPerBlock;
  const out = new Uint8Array(rows * rowBytes);
  for (let r = 0; r < rows; r++) out.set(f.quantizeRow(x.subarray(r * cols, (r + 1) * cols)), r * rowBytes);
  return out;
}

/** CPU reference decode, row by row, as f32 bits. */
function cpuDequant(bytes: Uint8Array, type: GgmlBlockType, rows: number, cols: number): Uint32Array {
  const f = GGML_FORMATS[type];
  const rowBytes = (cols / f.blockSize) * f.bytesPerBlock;
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) out.set(f.dequantizeRow(bytes.subarray(r * rowBytes, (r + 1) * rowBytes), cols), r * cols);
  return new Uint32Array(out.buffer);
}

const hex = (v: number, w = 8): string => `0x${(v >>> 0).toString(16).padStart(w, '0')}`;

/** Exact equality of f32 bit patterns (any NaN equals any NaN), with a readable first mismatch. */
function expectSameValues(what: string, gpu: Uint32Array, ref: Uint32Array): void {
  expect(gpu.length, `${what}: length`).toBe(ref.length);
  for (let i = 0; i < ref.length; i++) {
    if (gpu[i] !== ref[i] && !(isNanBits(gpu[i]) && isNanBits(ref[i]))) {
      expect.fail(`${what}[${i}]: gpu ${hex(gpu[i])} (${bitsF32(gpu[i])}) != cpu ${hex(ref[i])} (${bitsF32(ref[i])})`);
    }
  }
}

/** Exact equality of block bytes, naming the block and byte of the first mismatch. */
function expectSameBytes(what: string, gpu: Uint8Array, ref: Uint8Array, type: GgmlBlockType, x: Float32Array): void {
  expect(gpu.length, `${what}: length`).toBe(ref.length);
  const bpb = GGML_FORMATS[type].bytesPerBlock;
  for (let i = 0; i < ref.length; i++) {
    if (gpu[i] !== ref[i]) {
      const b = Math.floor(i / bpb);
      const xs = Array.from(x.subarray(b * 32, b * 32 + 32)).slice(0, 8).join(', ');
      expect.fail(`${what}: block ${b} byte ${i % bpb}: gpu ${hex(gpu[i], 2)} != cpu ${hex(ref[i], 2)} (x starts ${xs}, ...)`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Test data: random blocks and edge blocks, 32 values at a time.

function gaussianBlock(rand: Rand, len: number, sigma: number): number[] {
  return Array.from({ length: len }, () => sigma * normal(rand));
}

/**
 * Edge blocks of 32 values (k picks one), chosen for the legacy quantizers' decision points: zeros
 * of both signs (and their order: Q4_1 stores the first min's sign), constants, exact ties of
 * roundf / the +8.5 / +16.5 / +0.5 truncations and their f32 neighbours, fp16 overflow and
 * subnormal scales, huge values (max - min overflows to inf), f32-subnormal scales and inputs.
 */
function edgeBlock(k: number, rand: Rand): number[] {
  const fill = (f: (j: number) => number): number[] => Array.from({ length: 32 }, (_, j) => f(j));
  const ramp = (lo: number, step: number): number[] => fill((j) => lo + j * step);
  const withNeighbours = (vals: number[]): number[] => vals.map((v, j) => (j % 3 === 1 ? nextUp(v) : j % 3 === 2 ? nextDown(v) : v));
  const blocks: (() => number[])[] = [
    () => fill(() => 0),
    () => fill(() => -0),
    () => fill((j) => (j % 2 ? 0 : -0)),
    () => fill((j) => (j % 2 ? -0 : 0)),
    () => fill(() => 0.3),
    () => fill(() => -1.75),
    () => [127, -127, ...ramp(-14.5, 1).slice(0, 30)], // Q8_0: d = 1, ties at .5 away from zero
    () => [-127, ...withNeighbours(ramp(0.5, 1).slice(0, 31))],
    () => [-8, ...ramp(-7.75, 0.5).slice(0, 31)], // Q4_0: d = 1, x + 8.5 hits integers
    () => [-16, ...ramp(-15.5, 1).slice(0, 31)], // Q5_0: d = 1
    () => [8, ...withNeighbours(ramp(-8, 0.5).slice(0, 31))],
    () => [0, 15, ...ramp(0.5, 0.5).slice(0, 30)], // Q4_1: min 0, d = 1, ties at code + 0.5
    () => [0, 31, ...ramp(0.5, 1).slice(0, 30)], // Q5_1: d = 1
    () => [-3, 12, ...withNeighbours(ramp(-2.5, 0.5).slice(0, 30))],
    () => fill((j) => (j === 5 ? -65520 * 127 : j * 1000)), // Q8_0 d just at fp16 overflow
    () => fill((j) => (j === 9 ? 65504 * 8 : -j * 700)), // Q4_0 |d| = 65504
    () => fill((j) => (j % 2 ? 3e38 : -3e38)), // max - min overflows to inf
    () => fill((j) => (j === 0 ? 3.4e38 : (rand() - 0.5) * 1e38)),
    () => gaussianBlock(rand, 32, 1e30),
    () => gaussianBlock(rand, 32, 1e-30),
    () => gaussianBlock(rand, 32, 2e-6), // fp16-subnormal scales
    () => gaussianBlock(rand, 32, 1e-9), // scales below fp16's smallest subnormal
    () => gaussianBlock(rand, 32, 3e-38), // f32-subnormal d, finite 1/d
    () => gaussianBlock(rand, 32, 1e-40), // f32-subnormal inputs: 1/d overflows to inf
    () => fill((j) => (j === 3 ? 2 ** -149 : 0)),
    () => fill((j) => (j % 4 === 0 ? -(2 ** -149) * (j + 1) : 0)),
    () => fill((j) => (j < 16 ? 2 : -2)), // several elements of equal |x|: the first sets the sign
    () => fill((j) => (j < 16 ? -2 : 2)),
    () => fill((j) => (j === 31 ? 5 : j * 0.01)),
    // fp16 ties of the stored scale (exact quotients): 1 + 2^-11 rounds to even 1, 1 + 3 * 2^-11 up.
    () => fill((j) => (j === 0 ? 127 * (1 + 2 ** -11) : j * 0.5)), // Q8_0 d
    () => fill((j) => (j === 0 ? -127 * (1 + 3 * 2 ** -11) : j * 0.5)),
    () => fill((j) => (j === 2 ? -8 * (1 + 2 ** -11) : -j * 0.1)), // Q4_0 d
    () => fill((j) => (j === 2 ? 16 * (1 + 3 * 2 ** -11) : j * 0.1)), // Q5_0 d
    () => fill((j) => (1 + 2 ** -11) * (j === 7 ? 16 : 1 + (j % 5))), // Q4_1 d and min both ties
    () => fill((j) => (1 + 3 * 2 ** -11) * (j === 7 ? 32 : 1 + (j % 5))), // Q5_1
    () => fill((j) => (j === 4 ? 127 * 1.5 * 2 ** -24 : 0)), // Q8_0 d = 1.5 fp16 subnormal units: even 2
    () => fill((j) => (j === 4 ? -8 * 2.5 * 2 ** -24 : 0)), // Q4_0 d = 2.5 units: even 2
    () => fill((j) => (j === 4 ? 127 * 2 ** -25 : 0)), // Q8_0 d = 2^-25: tie to 0
  ];
  return blocks[k % blocks.length]();
}
const EDGE_BLOCKS = 38;

/** A [rows, cols] tensor: every edge block once (when it fits), then random blocks at random scales. */
function tensor(rows: number, cols: number, seed: number, edges = true): Float32Array {
  const rand = createRng(seed);
  const x = new Float32Array(rows * cols);
  const nb = x.length / 32;
  for (let b = 0; b < nb; b++) {
    let vals: number[];
    if (edges && b < EDGE_BLOCKS) vals = edgeBlock(b, rand);
    else if (b % 4 === 1) vals = Array.from({ length: 32 }, () => studentT(rand, 3) * 0.05);
    else vals = gaussianBlock(rand, 32, 2 ** Math.round((rand() * 2 - 1) * 12));
    x.set(vals, b * 32);
  }
  return x;
}

// ---------------------------------------------------------------------------------------------

describe('ggml_decode: all seven formats decode CPU-quantized tensors bit for bit', () => {
  for (const type of ALL_TYPES) {
    it(`${type}: dequantizeRow of seeded rows (edge blocks included), several shapes`, async () => {
      const bs = GGML_FORMATS[type].blockSize;
      const shapes: [number, number][] = [[1, bs], [5, 3 * bs], [33, 4 * bs], bs === 32 ? [3, 29 * 32] : [2, 256 * 4]];
      for (const [k, [rows, cols]] of shapes.entries()) {
        const x = tensor(rows, cols, 100 + k);
        const bytes = cpuQuant(x, type, rows, cols);
        expectSameValues(`${type} ${rows}x${cols}`, await gpuDequant(bytes, type, rows, cols), cpuDequant(bytes, type, rows, cols));
      }
    });
  }
});

/**
 * Random block bytes: every code pattern, with the fp16 scales forced through the interesting
 * classes (zeros of both signs, fp16 subnormals, the largest normal, inf, NaN) one block in two.
 */
function randomBytes(type: GgmlBlockType, nb: number, seed: number): Uint8Array {
  const f = GGML_FORMATS[type];
  const rand = createRng(seed);
  const bytes = Uint8Array.from({ length: nb * f.bytesPerBlock }, () => Math.floor(rand() * 256));
  const halfOffsets: Record<GgmlBlockType, number[]> = {
    Q8_0: [0], Q4_0: [0], Q4_1: [0, 2], Q5_0: [0], Q5_1: [0, 2], Q4_K: [0, 2], Q6_K: [208],
  };
  const specials = [0x0000, 0x8000, 0x0001, 0x83ff, 0x0200, 0x03ff, 0x0400, 0x7bff, 0xfbff, 0x7c00, 0xfc00, 0x7e00, 0xfe01, 0x3c00];
  for (let b = 0; b < nb; b++) {
    for (const [k, off] of halfOffsets[type].entries()) {
      if ((b + k) % 2 !== 0) continue;
      const h = specials[Math.floor(rand() * specials.length)];
      bytes[b * f.bytesPerBlock + off] = h & 0xff;
      bytes[b * f.bytesPerBlock + off + 1] = h >> 8;
    }
  }
  return bytes;
}

describe('ggml_decode: arbitrary block bytes (fp16 subnormal, inf and NaN scales included)', () => {
  for (const type of ALL_TYPES) {
    it(`${type}: random bytes, odd byte offsets into the buffer`, async () => {
      const bs = GGML_FORMATS[type].blockSize;
      const nb = bs === 32 ? 517 : 67;
      const bytes = randomBytes(type, nb, 7 + bs);
      const ref = cpuDequant(bytes, type, 1, nb * bs);
      for (const offset of [0, 1, 3]) {
        expectSameValues(`${type} offset ${offset}`, await gpuDequant(bytes, type, 1, nb * bs, offset), ref);
      }
    });
  }

  it('fp16 scales: every one of the 65536 bit patterns decodes exactly (Q8_0 with code 1)', async () => {
    const nb = 65536;
    const bytes = new Uint8Array(nb * 34);
    for (let h = 0; h < nb; h++) {
      bytes[h * 34] = h & 0xff;
      bytes[h * 34 + 1] = h >> 8;
      bytes[h * 34 + 2] = 1; // element 0: code 1, so y = d
      bytes[h * 34 + 3] = 0xff; // element 1: code -1
    }
    const gpu = await gpuDequant(bytes, 'Q8_0', 1, nb * 32);
    for (let h = 0; h < nb; h++) {
      const d = fp16BitsToFp32(h);
      const want = [f32Bits(d), f32Bits(-d)];
      for (const k of [0, 1]) {
        const got = gpu[h * 32 + k];
        if (got !== want[k] && !(isNanBits(got) && Number.isNaN(d))) expect.fail(`fp16 ${hex(h, 4)} element ${k}: gpu ${hex(got)} != ${hex(want[k])}`);
      }
    }
  });
});

describe('ggml_decode: hand-built K-quant super-blocks against the written-out formulas', () => {
  it('Q4_K: 6-bit scales/mins split across the 12 bytes, low then high nibbles per 32-byte run', async () => {
    const rand = createRng(44);
    const nb = 6;
    const bytes = new Uint8Array(nb * 144);
    const want = new Float32Array(nb * 256);
    const f32 = Math.fround;
    for (let b = 0; b < nb; b++) {
      const o = b * 144;
      const sc = b === 0 ? [63, 0, 1, 62, 63, 32, 31, 48] : Array.from({ length: 8 }, () => Math.floor(rand() * 64));
      const m = b === 0 ? [0, 63, 62, 1, 48, 63, 16, 0] : Array.from({ length: 8 }, () => Math.floor(rand() * 64));
      const dBits = [0x3c00, 0x2e66, 0x0001, 0x8400, 0x7bff, 0x1234][b];
      const dminBits = [0x3800, 0x0200, 0x3c00, 0x0000, 0x2000, 0xabcd][b];
      bytes.set([dBits & 0xff, dBits >> 8, dminBits & 0xff, dminBits >> 8, ...packScalesK4(sc, m)], o);
      const codes = Array.from({ length: 256 }, () => Math.floor(rand() * 16));
      for (let r = 0; r < 4; r++) {
        for (let l = 0; l < 32; l++) bytes[o + 16 + 32 * r + l] = codes[64 * r + l] | (codes[64 * r + 32 + l] << 4);
      }
      const d = fp16BitsToFp32(dBits), dmin = fp16BitsToFp32(dminBits);
      for (let e = 0; e < 256; e++) {
        const j = e >> 5;
        want[b * 256 + e] = f32(f32(f32(d * sc[j]) * codes[e]) - f32(dmin * m[j]));
      }
    }
    const gpu = await gpuDequant(bytes, 'Q4_K', 2, 3 * 256);
    expectSameValues('Q4_K hand-built', gpu, new Uint32Array(want.buffer));
    expectSameValues('Q4_K hand-built (cpu)', cpuDequant(bytes, 'Q4_K', 2, 3 * 256), new Uint32Array(want.buffer));
  });

  it('Q6_K: ql/qh/int8 scales at their documented offsets, fp16 d at byte 208', async () => {
    const rand = createRng(66);
    const nb = 4;
    const bytes = new Uint8Array(nb * 210);
    const want = new Float32Array(nb * 256);
    const f32 = Math.fround;
    for (let b = 0; b < nb; b++) {
      const o = b * 210;
      const codes = Array.from({ length: 256 }, (_, e) => (b === 0 ? e % 64 : Math.floor(rand() * 64)));
      const scales = Array.from({ length: 16 }, (_, k) => (b === 0 ? [127, -128, 0, 1, -1][k % 5] : Math.floor(rand() * 256) - 128));
      const dBits = [0x3c00, 0x0003, 0xb555, 0x7bff][b];
      for (let e = 0; e < 256; e++) {
        const h = e >> 7, k = (e & 127) >> 5, l = e & 31;
        const qlIdx = o + 64 * h + 32 * (k & 1) + l;
        bytes[qlIdx] |= (codes[e] & 15) << (k >= 2 ? 4 : 0);
        bytes[o + 128 + 32 * h + l] |= (codes[e] >> 4) << (2 * k);
      }
      scales.forEach((s, k) => { bytes[o + 192 + k] = s & 0xff; });
      bytes[o + 208] = dBits & 0xff;
      bytes[o + 209] = dBits >> 8;
      const d = fp16BitsToFp32(dBits);
      for (let e = 0; e < 256; e++) want[b * 256 + e] = f32(f32(d * scales[e >> 4]) * (codes[e] - 32));
    }
    const gpu = await gpuDequant(bytes, 'Q6_K', 1, nb * 256);
    expectSameValues('Q6_K hand-built', gpu, new Uint32Array(want.buffer));
    expectSameValues('Q6_K hand-built (cpu)', cpuDequant(bytes, 'Q6_K', 1, nb * 256), new Uint32Array(want.buffer));
  });
});

describe('ggml_quant: legacy formats quantize to the exact block bytes', () => {
  for (const type of LEGACY) {
    it(`${type}: bytes equal quantizeRow (edge blocks, odd block counts), and GPU decode closes the loop`, async () => {
      // 1 block; 3 rows x 29 blocks (odd total: the last thread has a lone block); bigger random tensors.
      const shapes: [number, number, number][] = [[1, 32, 1], [3, 29 * 32, 2], [7, 96, 3], [37, 11 * 32, 4], [64, 512, 5]];
      for (const [rows, cols, seed] of shapes) {
        const x = tensor(rows, cols, 500 + seed);
        const ref = cpuQuant(x, type, rows, cols);
        const gpu = await gpuQuant(x, type, rows, cols);
        expectSameBytes(`${type} ${rows}x${cols}`, gpu, ref, type, x);
        expectSameValues(`${type} ${rows}x${cols} round trip`, await gpuDequant(gpu, type, rows, cols), cpuDequant(ref, type, rows, cols));
      }
    });
  }

  it('near-tie sweep: scaled copies of the tie blocks at many scales (x * id lands next to .5)', async () => {
    const rand = createRng(9);
    const rows = 64, cols = 32 * 16;
    const x = new Float32Array(rows * cols);
    for (let b = 0; b < x.length / 32; b++) {
      const base = edgeBlock(6 + (b % 8), rand);
      const s = (1 + rand()) * 2 ** Math.round((rand() * 2 - 1) * 20);
      x.set(base.map((v) => v * s), b * 32);
    }
    for (const type of LEGACY) {
      expectSameBytes(`${type} tie sweep`, await gpuQuant(x, type, rows, cols), cpuQuant(x, type, rows, cols), type, x);
    }
  });

  it('the quantizer rejects shapes that are not whole blocks', () => {
    const enc = rt.device.createCommandEncoder({ label: 'test.ggml_quant.reject' });
    const xb = uploadStorage(rt, new Float32Array(64), 'test.ggml.x');
    expect(() => encodeGgmlQuant(rt, enc, xb, 'Q4_K', 1, 200)).toThrow(/multiple of the block size 256/);
    expect(() => encodeGgmlQuant(rt, enc, xb, 'Q8_0', 1, 48)).toThrow(/multiple of the block size/);
    expect(() => encodeGgmlDequant(rt, enc, xb, 'Q8_0', 1, 256)).toThrow(/needs 272 bytes/);
    void rt.pool.releaseAfterSubmit([xb]);
    expect(ggmlBytesToWords(new Uint8Array([1, 2, 3, 4, 5]))).toEqual(new Uint32Array([0x04030201, 5]));
  });
});

// A test-only entry point appended to ggml_quant.wgsl: its integer soft-float (lib_softfloat) on raw f32 bit patterns.
const PROBE_OUTS = 8;
const PROBE = `${shaderSource('ggml_quant')}
@compute @workgroup_size(64) fn probe(@builtin(global_invocation_id) g: vec3u) {
  let i = g.x;
  let o = ${PROBE_OUTS}u * i;
  if (o + ${PROBE_OUTS - 1}u >= arrayLength(&words)) { return; }
  let a = x[2u * i];
  let b = x[2u * i + 1u];
  words[o] = div_full(a, b);
  words[o + 1u] = mul_full(a, b);
  words[o + 2u] = add_full(a, b);
  words[o + 3u] = fp16_bits(a);
  words[o + 4u] = bitcast<u32>(to_i32(a, true));
  words[o + 5u] = bitcast<u32>(to_i32(a, false));
  words[o + 6u] = sqrt_full(a & MAG);
  words[o + 7u] = fp16_value(a & 0xffffu);
}`;

/** Random f32 bit patterns: every exponent (subnormals, inf, NaN included), plus zeros. */
function randomBits(rand: Rand, n: number): Uint32Array {
  return Uint32Array.from({ length: n }, (_, i) => {
    if (i % 97 === 0) return i % 2 ? 0x80000000 : 0;
    const sign = rand() < 0.5 ? 0x80000000 : 0;
    const exp = Math.floor(rand() * 256);
    const mant = Math.floor(rand() * 2 ** 23) >> (rand() < 0.2 ? Math.floor(rand() * 23) : 0);
    return (sign | (exp << 23) | mant) >>> 0;
  });
}

describe('ggml_quant soft-float on raw f32 bits (the kernel does no float arithmetic)', () => {
  it('div/mul/add/sqrt_full = f32(a op b) with subnormals, fp16_bits = GGML_FP32_TO_FP16 and fp16_value its inverse, to_i32 = cvttss2si (after roundf)', async () => {
    const rand = createRng(123);
    const n = 1 << 15;
    const x = randomBits(rand, 2 * n);
    // Pairs of nearby exponents (cancellation, carries) and hand-picked cases: subnormal results and
    // their rounding, overflow, exact ties of fp16 and of roundf, the 2^31 limit of the casts.
    for (let i = 64; i < n; i += 3) x[2 * i + 1] = (x[2 * i] ^ (rand() < 0.5 ? 0x80000000 : 0) ^ Math.floor(rand() * 2 ** (rand() * 26))) >>> 0;
    const cases: [number, number][] = [
      [2 ** -126, 3], [2 ** -149, 2], [3 * 2 ** -149, 2], [2 ** -130, 127], [1, 2 ** 127 * 1.5], [2 ** 127, 2 ** -3], [1, 2 ** -130],
      [1 + 2 ** -11, 1], [65504, 1], [65519.99, 1], [65520, 1], [1.5 * 2 ** -24, 1], [2 ** -25, 1], [0.5, 1], [-2.5, 1], [2 ** 31, 1],
      [-(2 ** 31), 2 ** -126], [2147483520, -1], [0.49999997, 2 ** -126 * 1.5], [-0.5, -(2 ** -126)], [1, -1], [-0, -0], [0, -0],
      [2 ** -126, -(2 ** -126 + 2 ** -149)], [1.5 * 2 ** -126, 2 ** -149], [2 ** 64, 2 ** 64], [-(2 ** -75), 2 ** -75 * 1.5],
    ];
    cases.forEach(([a, b], k) => { x[2 * k] = f32Bits(a); x[2 * k + 1] = f32Bits(b); });
    const module = rt.device.createShaderModule({ label: 'test.ggml_quant.probe', code: PROBE });
    const pipeline = rt.device.createComputePipeline({ label: 'test.ggml_quant.probe', layout: 'auto', compute: { module, entryPoint: 'probe', constants: { WG: 64 } } });
    const out = rt.pool.acquire(PROBE_OUTS * n * 4, storageUsage(), 'test.ggml_quant.probe.out');
    const xb = uploadStorage(rt, x, 'test.ggml_quant.probe.x');
    const enc = rt.device.createCommandEncoder({ label: 'test.ggml_quant.probe' });
    encodePass(rt, enc, pipeline, { 1: xb, 2: out }, grid2d(Math.ceil(n / 64)));
    const got = new Uint32Array((await readBuffers(rt.device, enc, [out]))[0]);
    void rt.pool.releaseAfterSubmit([xb, out]);
    const x86Int = (v: number): number => (Number.isFinite(v) && Math.abs(v) < 2 ** 31 ? v | 0 : -(2 ** 31));
    const sameF32 = (what: string, g: number, v: number): void => {
      const w = f32Bits(v); // f64 result of two f32 operands rounded once more: correctly rounded (Figueroa)
      if (g !== w && !(isNanBits(g) && isNanBits(w))) expect.fail(`${what}: gpu ${hex(g)} != ${hex(w)} (${v})`);
    };
    for (let i = 0; i < n; i++) {
      const a = bitsF32(x[2 * i]), b = bitsF32(x[2 * i + 1]), o = PROBE_OUTS * i;
      sameF32(`div_full(${a}, ${b})`, got[o], Math.fround(a / b));
      sameF32(`mul_full(${a}, ${b})`, got[o + 1], Math.fround(a * b));
      sameF32(`add_full(${a}, ${b})`, got[o + 2], Math.fround(a + b));
      expect(got[o + 3], `fp16_bits(${a})`).toBe(fp32ToFp16Bits(a));
      expect(got[o + 4] | 0, `(int32)roundf(${a})`).toBe(x86Int(roundAway(a)));
      expect(got[o + 5] | 0, `(int32)(${a})`).toBe(x86Int(Math.trunc(a)));
      // f64 sqrt of an f32 rounded to f32 is the correctly rounded f32 sqrt (53 >= 2 * 24 + 2)
      sameF32(`sqrt_full(${Math.abs(a)})`, got[o + 6], Math.fround(Math.sqrt(Math.abs(a))));
      sameF32(`fp16_value(${hex(x[2 * i] & 0xffff, 4)})`, got[o + 7], fp16BitsToFp32(x[2 * i] & 0xffff));
    }
  });
});
