// tests: ggml_kquant.wgsl (ggml Q4_K, Q6_K quantization) against src/quant/ggml's quantizeRow, byte for byte.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeGgmlDequant, encodeGgmlQuant } from '../../src/gpu/kernels/quantGgml';
import { readBuffers } from '../../src/gpu/readback';
import { type GpuRuntime, uploadStorage } from '../../src/gpu/runtime';
import { GGML_FORMATS } from '../../src/quant/ggml';
import { createRng, laplace, normal, studentT } from '../../src/lib/rng';
import { createTestRuntime, destroyRuntime } from './harness';

let rt: GpuRuntime;
beforeAll(async () => { rt = await createTestRuntime(); });
afterAll(() => destroyRuntime(rt));

type KType = 'Q4_K' | 'Q6_K';
const TYPES: KType[] = ['Q4_K', 'Q6_K'];
type Rand = () => number;

/** GPU quantization of [rows, cols] (cols a multiple of 256) to block bytes, and the GPU decode of those bytes. */
async function gpuQuant(x: Float32Array, type: KType, rows: number, cols: number): Promise<{ bytes: Uint8Array; xhat: Float32Array }> {
  const enc = rt.device.createCommandEncoder({ label: `test.ggml_kquant.${type}` });
  const xb = uploadStorage(rt, x, 'test.ggml_kquant.x');
  const q = encodeGgmlQuant(rt, enc, xb, type, rows, cols);
  const d = encodeGgmlDequant(rt, enc, q.bytes, type, rows, cols);
  const [bytes, xhat] = await readBuffers(rt.device, enc, [q.bytes, d.xhat]);
  void rt.pool.releaseAfterSubmit([xb, q.uniform, q.bytes, d.uniform, d.xhat]);
  const all = new Uint8Array(bytes);
  expect(all.subarray(q.byteLength).every((b) => b === 0), 'padding after the last block is zero').toBe(true);
  return { bytes: all.slice(0, q.byteLength), xhat: new Float32Array(xhat, 0, rows * cols) };
}

/** The CPU reference, row by row as llama.cpp quantizes. */
function cpuQuant(x: Float32Array, type: KType, rows: number, cols: number): Uint8Array {
  const f = GGML_FORMATS[type];
  const rowBytes = (cols / 256) * f.bytesPerBlock;
  const out = new Uint8Array(rows * rowBytes);
  for (let r = 0; r < rows; r++) out.set(f.quantizeRow(x.subarray(r * cols, (r + 1) * cols)), r * rowBytes);
  return out;
}

/** Byte equality, naming the super-block and byte of the first difference. */
function expectSameBytes(what: string, gpu: Uint8Array, ref: Uint8Array, type: KType): void {
  expect(gpu.length, `${what}: length`).toBe(ref.length);
  const bpb = GGML_FORMATS[type].bytesPerBlock;
  for (let i = 0; i < ref.length; i++) {
    if (gpu[i] !== ref[i]) {
      const differing = new Set<number>();
      for (let k = i; k < ref.length; k++) if (gpu[k] !== ref[k]) differing.add(Math.floor(k / bpb));
      expect.fail(`${what}: super-block ${Math.floor(i / bpb)} byte ${i % bpb}: gpu ${gpu[i]} != cpu ${ref[i]} (${differing.size} of ${ref.length / bpb} super-blocks differ)`);
    }
  }
}

/**
 * Edge super-blocks of 256 values (k picks one), aimed at the searches' decision points: zeros of
 * both signs, constants (make_qkx2_quants' max == min exit once the min is clamped to 0), all
 * positive / all negative blocks, a lone element, zero sub-blocks beside busy ones, exact grid
 * values (nearest_int ties), fp16 overflow and subnormal super-scales, Q6_K's 1e-15 thresholds per
 * sub-block and per super-block, f32-subnormal inputs and intermediates (llvmpipe keeps them).
 */
function edgeBlock(k: number, rand: Rand): number[] {
  const fill = (f: (j: number) => number): number[] => Array.from({ length: 256 }, (_, j) => f(j));
  const gauss = (s: number) => fill(() => s * normal(rand));
  const blocks: (() => number[])[] = [
    () => fill(() => 0),
    () => fill((j) => (j % 3 ? -0 : 0)),
    () => fill(() => 0.75),
    () => fill(() => -2.5),
    () => fill((j) => (j === 77 ? 3 : 0)),
    () => fill((j) => (j === 200 ? -1e-3 : 0)),
    () => fill(() => Math.abs(normal(rand))),
    () => fill(() => -Math.abs(normal(rand)) - 1),
    () => fill((j) => ((j >> 4) % 2 ? 0 : normal(rand))), // Q6_K: every other sub-block zero
    () => fill((j) => ((j >> 5) % 3 ? 0 : normal(rand))), // Q4_K: zero sub-blocks
    () => fill((j) => (j % 32) * 0.5 - 4), // grid values: ties everywhere
    () => fill((j) => (j % 16) - 8),
    () => fill((j) => ((j * 7) % 31) / 4 - 3.75),
    () => gauss(1e8), // Q4_K d = max_scale / 63 overflows fp16 (inf super-scale)
    () => gauss(3e-6), // fp16-subnormal super-scales
    () => gauss(1e-9), // super-scales below fp16's smallest subnormal
    () => fill((j) => (j < 16 ? 1e-16 * normal(rand) : normal(rand))), // Q6_K: one sub-block under 1e-15
    () => gauss(1e-16), // Q6_K: every sub-block under 1e-15: all-zero bytes
    () => gauss(1e-14),
    () => gauss(1e-18), // products far below 2^-126 (f32 subnormals)
    () => gauss(1e-40), // f32-subnormal inputs
    () => gauss(1e15),
    () => fill((j) => (j % 2 ? 1 : -1) * (1 + (j % 7))),
    () => fill((j) => (j === 0 ? 1000 : normal(rand) * 0.01)), // one outlier
    () => fill((j) => (j < 128 ? 2 : -2)),
    () => fill((j) => (j % 32 === 31 ? 5 : 0.01 * j)),
  ];
  return blocks[k % blocks.length]();
}
const EDGE_BLOCKS = 26;

/** A [rows, cols] tensor: the edge super-blocks first (when `edges`), then random blocks (Gaussian at random scales, Student-t, Laplace). */
function tensor(rows: number, cols: number, seed: number, edges = true): Float32Array {
  const rand = createRng(seed);
  const x = new Float32Array(rows * cols);
  for (let b = 0; b < x.length / 256; b++) {
    let vals: number[];
    if (edges && b < EDGE_BLOCKS) vals = edgeBlock(b, rand);
    else if (b % 3 === 1) vals = Array.from({ length: 256 }, () => studentT(rand, 3) * 0.02);
    else if (b % 3 === 2) vals = Array.from({ length: 256 }, () => laplace(rand) * 0.05);
    else {
      const s = 2 ** Math.round((rand() * 2 - 1) * 10);
      vals = Array.from({ length: 256 }, () => s * normal(rand));
    }
    x.set(vals, b * 256);
  }
  return x;
}

describe('ggml_kquant: Q4_K and Q6_K quantize to the exact block bytes of the CPU reference', () => {
  for (const type of TYPES) {
    it(`${type}: edge and random super-blocks, partial workgroups, several rows; GPU decode closes the loop`, async () => {
      // 1 super-block; 3 (Q6_K: a partial workgroup, an odd block count ending mid-word); 9 and 13 (partial
      // last workgroups of Q4_K's 8); 5 rows x 4 blocks; 3 rows x 9 blocks.
      const shapes: [number, number, number][] = [[1, 256, 1], [1, 3 * 256, 2], [1, 9 * 256, 3], [13, 256, 4], [5, 1024, 5], [3, 9 * 256, 6]];
      for (const [rows, cols, seed] of shapes) {
        const x = tensor(rows, cols, 700 + seed);
        const ref = cpuQuant(x, type, rows, cols);
        const gpu = await gpuQuant(x, type, rows, cols);
        expectSameBytes(`${type} ${rows}x${cols}`, gpu.bytes, ref, type);
        const f = GGML_FORMATS[type];
        const want = new Float32Array(rows * cols);
        for (let r = 0; r < rows; r++) want.set(f.dequantizeRow(ref.subarray(r * (cols / 256) * f.bytesPerBlock), cols), r * cols);
        // bit for bit; NaN (an inf super-scale times a zero code) as any NaN
        const bits = (v: Float32Array) => Array.from(new Uint32Array(v.buffer, v.byteOffset, v.length), (b, i) => (Number.isNaN(v[i]) ? -1 : b));
        expect(bits(gpu.xhat)).toEqual(bits(want));
      }
    });
  }

  it('near-tie sweep: trained-like rows at many scales and offsets (grids land next to .5, fits next to each other)', async () => {
    const rand = createRng(21);
    const rows = 16, cols = 256 * 4;
    const x = new Float32Array(rows * cols);
    for (let b = 0; b < x.length / 256; b++) {
      const base = edgeBlock(10 + (b % 3), rand);
      const s = (1 + rand()) * 2 ** Math.round((rand() * 2 - 1) * 16);
      const shift = b % 2 ? 0 : s * (rand() - 0.5);
      x.set(base.map((v) => v * s + shift + (rand() < 0.1 ? s * 2 ** -20 * normal(rand) : 0)), b * 256);
    }
    for (const type of TYPES) expectSameBytes(`${type} tie sweep`, (await gpuQuant(x, type, rows, cols)).bytes, cpuQuant(x, type, rows, cols), type);
  });

  it('1024 random super-blocks per format (Gaussian at random scales, Student-t, Laplace): every byte equal', async () => {
    const rows = 32, cols = 256 * 32;
    const x = tensor(rows, cols, 99, false);
    for (const type of TYPES) expectSameBytes(`${type} random`, (await gpuQuant(x, type, rows, cols)).bytes, cpuQuant(x, type, rows, cols), type);
  });
});
