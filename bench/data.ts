// bench: seeded inputs of the benchmarks: normal f32 arrays and packed weights with random codes (the kernels' speed does not depend on the values, their correctness checks do not need trained ones).
import { createRng, normal } from '../src/lib/rng';
import { packDense, type PackedWeights, chunksPerRow } from '../src/quant/packed/weights';

/** Seeded standard-normal f32 values times `scale`. */
export function normalFloats(count: number, seed: number, scale = 1): Float32Array {
  const rand = createRng(seed);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = normal(rand) * scale;
  return out;
}

/** Code widths the matmul benchmarks run: integer codes of 2, 3, 4, 8 bits, or the fp32 path. */
export type MatmulBits = 2 | 3 | 4 | 8 | 'f32';

/** Label of a width: "q4", "fp32". */
export const bitsLabel = (bits: MatmulBits): string => (bits === 'f32' ? 'fp32' : `q${bits}`);

/** Columns per scale of the synthetic low-bit weights (block 32, as Q4_0 and ORT's MatMulNBits default). */
export const BENCH_GROUP = 32;

/**
 * An [n, k] weight in the PackedWeights layout: fp32 (normal · 0.02), or `bits`-bit symmetric
 * integer codes (affine, zero point 2^(bits−1), so (q − z)·s is what ggml Q4_0 and MatMulNBits
 * without zero points compute) with random codes and one f32 scale in [0.005, 0.015) per 32
 * columns. k must be a multiple of 32.
 */
export function syntheticPacked(n: number, k: number, bits: MatmulBits, seed: number): PackedWeights {
  if (k % BENCH_GROUP !== 0) throw new Error(`syntheticPacked: k = ${k} is not a multiple of ${BENCH_GROUP}.`);
  if (bits === 'f32') return packDense(normalFloats(n * k, seed, 0.02), n, k);
  const rand = createRng(seed);
  const codes = new Uint32Array(n * chunksPerRow(k) * bits);
  for (let i = 0; i < codes.length; i++) codes[i] = Math.floor(rand() * 2 ** 32);
  const groups = n * (k / BENCH_GROUP);
  const scales = new Float32Array(groups);
  for (let g = 0; g < groups; g++) scales[g] = 0.005 + 0.01 * rand();
  return {
    n, k, bits, mode: 'affine', groupSize: BENCH_GROUP, groupsPerRow: k / BENCH_GROUP,
    codes, scales, shifts: new Float32Array(groups).fill(2 ** (bits - 1)), table: new Float32Array(0),
  };
}
