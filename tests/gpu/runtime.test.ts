// tests: the pipeline cache keys on overrides, the buffer pool reuses only released buffers, shader includes resolve.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type GpuRuntime, storageUsage } from '../../src/gpu/runtime';
import { shaderNames, shaderSource } from '../../src/gpu/shaders';
import { createTestRuntime, destroyRuntime } from './harness';

let rt: GpuRuntime;
beforeAll(async () => { rt = await createTestRuntime(); });
afterAll(() => destroyRuntime(rt));

it('creates one pipeline per (shader, entry, override constants)', () => {
  const a = rt.pipelines.get('quant_int', 'decode', { WG: 256, BITS: 4, SYMMETRIC: 1 });
  const b = rt.pipelines.get('quant_int', 'decode', { SYMMETRIC: 1, BITS: 4, WG: 256 });
  const c = rt.pipelines.get('quant_int', 'decode', { WG: 256, BITS: 3, SYMMETRIC: 1 });
  expect(b).toBe(a);
  expect(c).not.toBe(a);
  expect(a.label).toBe('quant_int.decode');
});

it('hands a buffer out again only after it was released', async () => {
  const first = rt.pool.acquire(100, storageUsage(), 'test.a');
  const second = rt.pool.acquire(100, storageUsage(), 'test.b');
  expect(second).not.toBe(first);
  expect(first.size).toBe(100);
  await rt.pool.releaseAfterSubmit([first]);
  expect(rt.pool.acquire(100, storageUsage(), 'test.c')).toBe(first);
  await rt.pool.releaseAfterSubmit([second]);
  expect(rt.pool.acquire(104, storageUsage(), 'test.d')).not.toBe(second); // another size never reuses it
});

it('inlines //! include files once, and every kernel file compiles without errors', async () => {
  const src = shaderSource('quant_int');
  expect(src).not.toMatch(/^\/\/! include/m);
  expect(src.match(/fn div_rn\(/g)).toHaveLength(1);
  expect(src.match(/fn code_from_words\(/g)).toHaveLength(1);
  // lib_* files are helpers that may use their includer's overrides: they compile inside kernels.
  for (const name of shaderNames().filter((n) => !n.startsWith('lib_'))) {
    const info = await rt.device.createShaderModule({ label: name, code: shaderSource(name) }).getCompilationInfo();
    expect(info.messages.filter((m) => m.type === 'error'), name).toEqual([]);
  }
});
