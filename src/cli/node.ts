// cli: the engine's surroundings in Node: files on disk as File objects, a fetch that serves file: URLs with Range, the embedded models' folder, and WebGPU through Dawn (the `webgpu` package) or the CPU reference.
import { existsSync, openAsBlob, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { QuantBackend } from '../engine/backend';
import { createCpuBackend } from '../engine/cpuBackend';
import { selectBackend } from '../engine/select';
import type { BackendChoice } from './args';
import { InputError } from './errors';

/** Files that travel with a single weights file: what makes a safetensors file a model transformers and lowbit can open. */
const COMPANIONS = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'generation_config.json', 'special_tokens_map.json'];

/** A file on disk as a File (read lazily by range, like a dropped browser file). */
async function fileAt(path: string): Promise<File> {
  return new File([await openAsBlob(path)], basename(path));
}

/**
 * The files of a model at `path`: every file of a folder (not its subfolders), or one file with
 * its companions (config.json, tokenizer files) from the same folder; a .gguf alone.
 */
export async function modelFiles(path: string): Promise<File[]> {
  if (!existsSync(path)) throw new InputError(`There is no file or folder ${path}. Check the path.`);
  if (statSync(path).isDirectory()) {
    const names = readdirSync(path).filter((n) => statSync(join(path, n)).isFile()).sort();
    if (names.length === 0) throw new InputError(`The folder ${path} is empty: it needs *.safetensors with config.json (and tokenizer.json), or a .gguf file.`);
    return Promise.all(names.map((n) => fileAt(join(path, n))));
  }
  const companions = path.endsWith('.gguf') ? [] : COMPANIONS.map((n) => join(dirname(path), n)).filter((p) => existsSync(p));
  return Promise.all([path, ...companions].map(fileAt));
}

/** A response with a status and headers (used for file: URLs). */
const answer = (body: BodyInit | null, status: number, headers: Record<string, string> = {}) => new Response(body, { status, headers });

/**
 * `fetch`, plus file: URLs served from disk the way an HTTP server with Range support would
 * (200 whole file, 206 for `Range: bytes=a-b`, 416 past the end, 404 when missing, HEAD with
 * Content-Length), so the model loaders read local folders through the same code as the web.
 */
export const fileFetch: typeof fetch = async (input, init) => {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  if (!url.startsWith('file:')) return fetch(input, init);
  const path = fileURLToPath(url);
  if (!existsSync(path) || !statSync(path).isFile()) return answer('not found', 404);
  const size = statSync(path).size;
  if ((init?.method ?? 'GET') === 'HEAD') return answer(null, 200, { 'content-length': String(size) });
  const blob = await openAsBlob(path);
  const range = new Headers(init?.headers).get('range');
  const m = range ? /^bytes=(\d+)-(\d*)$/.exec(range) : null;
  if (!m) return answer(blob, 200, { 'content-length': String(size) });
  const start = Number(m[1]);
  const end = Math.min(size - 1, m[2] === '' ? size - 1 : Number(m[2]));
  if (start >= size) return answer(null, 416, { 'content-range': `bytes */${size}` });
  return answer(blob.slice(start, end + 1), 206, { 'content-range': `bytes ${start}-${end}/${size}`, 'content-length': String(end - start + 1) });
};

/** The folder of the embedded models (public/models/ of the lowbit checkout holding `from`), as a file: URL ending in '/'. */
export function embeddedModelsUrl(from: string | URL): string {
  for (let dir = dirname(fileURLToPath(from)); ; dir = dirname(dir)) {
    const candidate = join(dir, 'public', 'models');
    if (existsSync(candidate)) return pathToFileURL(candidate).href + '/';
    if (dirname(dir) === dir) return pathToFileURL(resolve('public/models')).href + '/';
  }
}

/**
 * Dawn instances from `create()`. They must stay referenced while a device lives: a collected
 * instance lets Dawn's event processing touch freed memory and abort (see tests/gpu/harness.ts).
 */
const dawnInstances: unknown[] = [];

/**
 * A GPU for selectBackend from Dawn: the platform's native backend first (Vulkan, Metal, D3D12 on
 * a real GPU), then OpenGL ES at the compatibility level (Mesa llvmpipe on a machine without one).
 * Undefined when the `webgpu` package is missing or finds no adapter.
 */
async function dawnGpu(): Promise<GPU | undefined> {
  let webgpu: typeof import('webgpu');
  try {
    webgpu = await import('webgpu');
  } catch {
    return undefined;
  }
  Object.assign(globalThis, webgpu.globals); // GPUBufferUsage, GPUMapMode, ... as in a browser
  process.env.EGL_PLATFORM ??= 'surfaceless'; // Dawn's GL backend without a display
  const attempts: [string[], GPURequestAdapterOptions][] = [
    [[], { powerPreference: 'high-performance' }],
    [['backend=opengles'], { featureLevel: 'compatibility' }],
  ];
  for (const [flags, options] of attempts) {
    const instance = webgpu.create(flags);
    dawnInstances.push(instance);
    const adapter = await instance.requestAdapter(options);
    if (adapter) return { requestAdapter: async () => adapter } as unknown as GPU;
  }
  return undefined;
}

/**
 * The backend `choice` asks for: 'cpu' the CPU reference; 'webgpu' Dawn or an InputError saying
 * why not; 'auto' Dawn when it has an adapter, else the CPU reference with the reason in
 * `device.notice`. Dispose it when done (destroys the device so Node can exit).
 */
export async function openBackend(choice: BackendChoice): Promise<QuantBackend> {
  if (choice === 'cpu') return createCpuBackend('The CPU reference was requested (--backend cpu).');
  const gpu = await dawnGpu();
  const backend = gpu
    ? await selectBackend(gpu)
    : createCpuBackend('No WebGPU adapter: Dawn (the webgpu package) found no GPU here, so lowbit computes on the CPU reference.');
  if (choice === 'webgpu' && backend.device.backend !== 'webgpu') {
    backend.dispose();
    throw new InputError(`--backend webgpu, but ${backend.device.notice ?? 'no WebGPU adapter is available'} Use --backend cpu (or auto) to compute on the CPU reference.`);
  }
  return backend;
}
