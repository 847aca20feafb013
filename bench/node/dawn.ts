// bench (node): the Dawn adapter of tests/gpu/harness.ts (the webgpu package's OpenGL ES backend on Mesa llvmpipe) for the Node half of the bench.
import { create, globals } from 'webgpu';

Object.assign(globalThis, globals);

/** Held for the life of the process: a collected Dawn instance lets its event loop touch freed memory (see tests/gpu/harness.ts). */
const instances: unknown[] = [];

/** The runtime string printed in Node fingerprints. */
export const DAWN_RUNTIME = `node ${process.version} (Dawn via the webgpu package, OpenGL ES backend)`;

/**
 * Dawn's OpenGL ES adapter at the compatibility feature level (what the GPU tests use), or null
 * with the reason. EGL_PLATFORM=surfaceless lets it run without a display.
 */
export async function dawnAdapter(): Promise<{ adapter: GPUAdapter; gpu: GPU } | { adapter: null; reason: string }> {
  process.env.EGL_PLATFORM ??= 'surfaceless';
  const gpu = create(['backend=opengles']);
  instances.push(gpu);
  const adapter = await gpu.requestAdapter({ featureLevel: 'compatibility' });
  return adapter
    ? { adapter, gpu }
    : { adapter: null, reason: 'Dawn found no OpenGL ES adapter: install Mesa (apt-get install libegl1 libegl-mesa0 libgl1-mesa-dri) and set EGL_PLATFORM=surfaceless.' };
}
