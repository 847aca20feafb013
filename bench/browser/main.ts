// bench (browser): the page's entry: window.lowbitBench(mode) runs the GPU suites and the ONNX Runtime Web peer on the browser's adapter and returns the results.
import { openBenchGpu } from '../gpu';
import { guarded, runGpuSuites } from '../gpuSuites';
import { benchOptions } from '../options';
import { type OrtModule, peerSuite } from '../suites/peer';
import type { EnvResults } from '../types';

/** Where the runner serves node_modules/onnxruntime-web/dist/ (the peer is loaded at run time, not bundled). */
const ORT_BASE = '/ort/';

async function loadOrt(): Promise<OrtModule> {
  const ort = await import(/* @vite-ignore */ `${ORT_BASE}ort.webgpu.min.mjs`) as OrtModule;
  ort.env.wasm.wasmPaths = ORT_BASE;
  ort.env.wasm.numThreads = 1; // no cross-origin isolation here; the peer's work is on the GPU anyway
  return ort;
}

async function lowbitBench(mode: 'quick' | 'full'): Promise<EnvResults> {
  const status = document.getElementById('status');
  const log = (line: string) => { console.log(line); if (status) status.textContent = line; };
  const adapter = await navigator.gpu?.requestAdapter();
  if (!adapter) return { adapters: {}, records: [], problems: ['chromium: no WebGPU adapter (navigator.gpu.requestAdapter() returned nothing); run Chromium with --enable-unsafe-webgpu.'] };
  const version = /Chrome\/(\d+)/.exec(navigator.userAgent)?.[1] ?? '?';
  const g = await openBenchGpu(adapter, `chromium ${version} (headless, --enable-unsafe-webgpu)`);
  const options = benchOptions(mode);
  try {
    return await runGpuSuites(g, options, log, async (ctx, out) => {
      await guarded('peer (onnxruntime-web)', g, out, async () => peerSuite(ctx, await loadOrt()));
    });
  } finally {
    g.rt.pool.destroy();
  }
}

Object.assign(window, { lowbitBench });
