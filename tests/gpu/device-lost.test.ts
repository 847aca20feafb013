// tests: a lost device becomes a typed error (never a hang), and validation errors are caught by scopes.
import { expect, it } from 'vitest';
import { createWebGpuBackend } from '../../src/engine/gpuBackend';
import { withErrorScopes } from '../../src/gpu/device';
import { GpuDeviceLostError, GpuValidationError } from '../../src/gpu/errors';
import { groupLayout } from '../../src/quant/groups';
import { createTestRuntime } from './harness';

it('reports a validation error from our own GPU calls as GpuValidationError', async () => {
  const rt = await createTestRuntime();
  const bad = withErrorScopes(rt.device, 'test job', async () => {
    rt.device.createBuffer({ size: 7, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.STORAGE, label: 'test.invalid' });
  });
  await expect(bad).rejects.toBeInstanceOf(GpuValidationError);
  await expect(bad).rejects.toThrow(/test job/);
  rt.device.destroy();
});

it('turns device loss into GpuDeviceLostError on the next job', async () => {
  const rt = await createTestRuntime();
  const backend = createWebGpuBackend(rt);
  const x = new Float32Array(64).fill(0.5);
  const layout = groupLayout(8, 8, 'row');
  await expect(backend.run(x, layout, { kind: 'int', params: { bits: 4, symmetric: true } })).resolves.toBeTruthy();
  rt.device.destroy();
  await rt.device.lost;
  await expect(backend.run(x, layout, { kind: 'int', params: { bits: 4, symmetric: true } })).rejects.toBeInstanceOf(GpuDeviceLostError);
  expect(rt.ctx.lost?.reason).toBe('destroyed');
});
