// tests: one Dawn (webgpu package) device per GPU test file on Mesa llvmpipe; fails loudly, never skips, without one.
import { create, globals } from 'webgpu';
import { acquireGpu } from '../../src/gpu/device';
import { createRuntime, destroyRuntime, type GpuRuntime } from '../../src/gpu/runtime';

Object.assign(globalThis, globals);

const HOW_TO = 'No WebGPU adapter in Node. Dawn\'s OpenGL ES backend needs Mesa: apt-get install libegl1 libegl-dev libegl-mesa0 libgl1-mesa-dri '
  + '(scripts/ensure-browser.sh does this as root), and EGL_PLATFORM=surfaceless (npm test sets it).';

/**
 * Dawn's OpenGL ES backend on Mesa llvmpipe. Held at module level: if the object from create()
 * is garbage-collected, Dawn's event loop touches freed memory and the process aborts.
 */
const instance = create(['backend=opengles']);

/** A runtime on Dawn; throws with install instructions when there is no adapter. */
export async function createTestRuntime(): Promise<GpuRuntime> {
  try {
    return createRuntime(await acquireGpu(instance, { featureLevel: 'compatibility' }));
  } catch (e) {
    throw new Error(`${HOW_TO}\nCause: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

export { destroyRuntime };
