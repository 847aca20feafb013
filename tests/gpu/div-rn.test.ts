// tests: div_rn (shaders/lib_float.wgsl) is correctly rounded f32 division, bit for bit with divRn in src/lib/f32.ts.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { divRn } from '../../src/lib/f32';
import { createRng } from '../../src/lib/rng';
import { readBuffers } from '../../src/gpu/readback';
import { encodePass, type GpuRuntime, storageUsage, uploadStorage } from '../../src/gpu/runtime';
import { shaderSource } from '../../src/gpu/shaders';
import { createTestRuntime, destroyRuntime } from './harness';

let rt: GpuRuntime;
beforeAll(async () => { rt = await createTestRuntime(); });
afterAll(() => destroyRuntime(rt));

// A test-only kernel around the shared helper: out[i] = div_rn(a[i], b[i]).
const PROBE = `${shaderSource('lib_float')}
@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) g: vec3u) {
  if (g.x < arrayLength(&out)) { out[g.x] = div_rn(a[g.x], b[g.x]); }
}`;

async function gpuDivide(a: Float32Array, b: Float32Array): Promise<Float32Array> {
  const module = rt.device.createShaderModule({ label: 'test.div_rn', code: PROBE });
  const pipeline = rt.device.createComputePipeline({ label: 'test.div_rn', layout: 'auto', compute: { module, entryPoint: 'main' } });
  const out = rt.pool.acquire(a.byteLength, storageUsage(), 'test.out');
  const enc = rt.device.createCommandEncoder();
  encodePass(rt, enc, pipeline, { 0: uploadStorage(rt, a, 'test.a'), 1: uploadStorage(rt, b, 'test.b'), 2: out }, [Math.ceil(a.length / 64)]);
  const [bytes] = await readBuffers(rt.device, enc, [out]);
  return new Float32Array(bytes, 0, a.length);
}

/** Random normal f32 values with exponents spread over most of the range. */
function spread(rand: () => number, n: number): Float32Array {
  return Float32Array.from({ length: n }, () => (rand() < 0.5 ? -1 : 1) * (1 + rand()) * 2 ** Math.floor(rand() * 200 - 100));
}

it('matches divRn bit for bit on random operands, ties, exact quotients and the reciprocal', async () => {
  const rand = createRng(11);
  const n = 1 << 16;
  const a = spread(rand, n), b = spread(rand, n);
  // Hand-picked cases: exact results, the classic 1/3 and 1/0.1, small integer divisors used for scales, zero.
  const cases: [number, number][] = [[1, 3], [1, Math.fround(0.1)], [7, 7], [6, 4], [1, 15], [0.7, 7], [2.5, 127], [0, 5], [-0, 5], [-9, 3], [1, 1.5]];
  cases.forEach(([x, y], k) => { a[k] = x; b[k] = y; });
  const got = await gpuDivide(a, b);
  let mismatches = 0;
  for (let i = 0; i < n; i++) if (!Object.is(got[i], divRn(a[i], b[i]))) mismatches++;
  expect(mismatches).toBe(0);
  expect(got[0]).toBe(Math.fround(1 / 3));
  expect(got[1]).toBe(10);
});

it('flushes results below the normal range to zero, as the CPU reference does', async () => {
  const a = Float32Array.from([2 ** -120, -(2 ** -120), 2 ** -100]);
  const b = Float32Array.from([2 ** 10, 2 ** 10, 2 ** 20]);
  const got = await gpuDivide(a, b);
  expect(Array.from(got)).toEqual([0, -0, 2 ** -120]);
  expect(Array.from(got)).toEqual(Array.from(a, (x, i) => divRn(x, b[i])));
});
