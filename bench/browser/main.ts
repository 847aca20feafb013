// bench (browser): the page's entry: window.lowbitBench(mode, suites) runs the GPU suites on the browser's adapter and the ONNX Runtime Web peer on ORT's own device, and returns the results.
import { openBenchGpu, type BenchGpu } from '../gpu';
import { guarded, runGpuSuites } from '../gpuSuites';
import { benchOptions, type GpuSuite } from '../options';
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

async function lowbitBench(mode: 'quick' | 'full', suites: GpuSuite[]): Promise<EnvResults> {
  const status = document.getElementById('status');
  const log = (line: string) => { console.log(line); if (status) status.textContent = line; };
  const adapter = await navigator.gpu?.requestAdapter();
  if (!adapter) return { adapters: {}, records: [], problems: ['chromium: no WebGPU adapter (navigator.gpu.requestAdapter() returned nothing); run Chromium with --enable-unsafe-webgpu.'] };
  const runtime = `chromium ${/Chrome\/(\d+)/.exec(navigator.userAgent)?.[1] ?? '?'} (headless, --enable-unsafe-webgpu)`;
  const g: BenchGpu = await openBenchGpu(adapter, runtime);
  const options = benchOptions(mode, new Set(suites));
  try {
    return await runGpuSuites(g, options, log, async (ctx, out) => {
      if (options.suites.has('peer')) await guarded('peer (onnxruntime-web)', g, out, async () => peerSuite(ctx, await loadOrt()));
    });
  } finally {
    g.rt.pool.destroy();
  }
}

Object.assign(window, { lowbitBench });
