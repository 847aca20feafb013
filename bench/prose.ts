// bench: the hand-written parts of docs/BENCHMARKS.md (what the figures mean, how they are taken, what limits each target), kept apart from the formatter.
import type { LimitsText } from './report';

export const INTRO = `# Benchmarks

Written by \`npm run bench\` (bench/node/main.ts); do not edit by hand: change bench/prose.ts or the
suites and run it again. Every figure is a ratio measured side by side in one run on one adapter,
printed with the adapter's id (fingerprints below), its timing method and a correctness check.

**Read this first.** The machine these figures come from has no GPU. Both adapters are CPUs in
disguise: Mesa llvmpipe behind Dawn's OpenGL ES backend (Node) and SwiftShader (Chromium). They run
a workgroup as a loop over SIMD lanes on a few CPU threads, so memory bandwidth is the CPU's,
arithmetic is cheap relative to nothing, and workgroup barriers are expensive (SwiftShader switches
between fibers at each one). A kernel's ratio to the copy kernel here says how much work it does
per byte on a CPU, not how it will run on a GPU. The emulator guard (below) exists so that no
kernel is tuned to these adapters. Run \`npm run bench\` on a machine with a GPU for figures that
mean something about GPUs: the same suites run there unchanged.`;

export const METHOD = `## How the figures are taken

- **Two environments per run.** Node with Dawn (the \`webgpu\` package; here its OpenGL ES backend
  on llvmpipe) and headless Chromium with \`--enable-unsafe-webgpu\` (here SwiftShader). The same
  GPU suites run in both; the ONNX Runtime Web peer and nothing else runs only in Chromium.
- **Timer** (bench/gpu.ts). One submit compiles and warms the pipelines, one sizes the submit (as
  many operations as fill about 40 ms, quick, or 100 ms, full), then warm-up submits, then 5 (7)
  timed submits; the median per operation is reported. With \`timestamp-query\` the time is
  between a timestamp-only compute pass before the first operation and one after the last; without
  it (llvmpipe), wall-clock from submit to \`onSubmittedWorkDone\`.
- **Yardsticks.** A copy kernel (one vec4 per thread; bandwidth counts bytes read plus written), a
  read kernel (four vec4s summed per thread, written only when the sum equals a sentinel so no
  compiler can drop the reads) and an empty dispatch in its own compute pass.
- **Packed matvec/matmul.** Our kernels (shaders/matmul_packed.wgsl) on synthetic weights in the
  app's packed layout: random codes, an f32 scale per 32 columns (speed does not depend on the
  values). Effective bandwidth = the bytes a call must move (codes, scales, zero points, x, y) /
  time, as a fraction of the copy kernel's. Checked at 48 sampled outputs against the CPU reference
  within the f32 bound of tests/gpu/matmul-packed.test.ts.
- **Emulator guard** (bench/guard.ts). shaders/bench_matmul_ref.wgsl holds reference kernels of the
  same operation written once in the plain GPU shape and never tuned: matvec with one 64-thread
  workgroup per output and a tree reduction, matmul with a 16 × 16 output tile per 256 threads. A
  kernel that is at least 1.25× faster than its reference while launching fewer than half of
  min(reference threads, 16384) threads, or workgroups smaller than 64 or not a multiple of 32, is
  flagged: it wins with a CPU-shaped launch. A kernel faster than the copy kernel over the same
  bytes is flagged too. Flagged figures are to be confirmed on a real GPU before a change is kept.
- **Peer.** ONNX Runtime Web (\`onnxruntime-web\`, WebGPU execution provider) running a one-node
  ONNX model with \`com.microsoft.MatMulNBits\` (bench/onnx.ts writes it) fed the same packed bytes:
  our 32-code chunk is MatMulNBits' block of 32, the same f32 scales, the default zero point
  2^(bits−1). ORT ignores a device handed to it and makes its own, so both sides run on ORT's
  device, x in a GPU buffer, y left on the GPU, one submit per call on both sides; wall-clock per
  call over rounds of calls. Both outputs are checked against the same CPU reference. MatMulNBits
  takes 2, 4 and 8 bits, so q3 and fp32 have no peer figure.
- **Hadamard.** The FWHT kernel (shaders/hadamard.wgsl) rotating rows of n with random signs,
  against the copy kernel over the same bytes and against a dense n × n Hadamard product on the
  reference matmul kernel (what rotating costs without the fast transform). Bit-exact check.
- **Quantize/dequantize.** One format per kernel family on 2M (quick) or 16M (full) f32 elements,
  against the copy kernel over the input. "round trip" means the kernel API quantizes and decodes
  in one call (integer and table kernels); ggml's quantize stops at the codes. Bit-exact check.
- **Forward pass.** Perplexity windows on the WebGPU forward pass (src/model/gpu), scored tokens per
  second with fp32 and with INT4 packed projections; the dispatch overhead share is the time of an
  empty dispatch chain with the same dispatches, submits and readbacks divided by the pass's time.
  Checked against the CPU reference perplexity.
- **User-facing.** The production build served by \`vite preview\`, a fresh Chromium context per
  page load; first view = \`performance.now()\` at the first frame after the status line reads done
  and the three charts have bars; control change = bits slider input to the first frame after the
  run finished and both histograms were redrawn (includes the app's 60 ms debounce); initial
  JavaScript = gzip of the entry chunks of index.html.
- **Scale.** A synthetic Llama-shaped 1.01B-parameter fp16 safetensors file (hidden 2048, MLP 5632,
  19 blocks, vocabulary 8192) written to the temp folder, streamed with our safetensors reader one
  tensor at a time in a child process (its own peak RSS, sampled every 20 ms): read only; read and
  decode; read, decode, INT4 quantization and the app's error statistics and histograms on the
  app's backend (WebGPU on Dawn) and on the CPU reference.`;

export const NOTES = `## What would change these figures

- A GPU. Every target about kernels is a statement about GPUs; on this machine the kernels run on a
  CPU through an emulator whose costs (barriers, per-workgroup overhead, scalar arithmetic) are
  unlike a GPU's. No GPU machine was lent to the session that wrote this file.
- The machine: 2 cores shared by the browser, the GPU emulator and Node; the app figures include
  SwiftShader compiling and running every kernel on those cores.`;

/** Why each target is where it is on these adapters (docs/BENCHMARKS.md's last column of the targets table). */
export const LIMITS: LimitsText = {
  peer: 'On SwiftShader our kernels pay for workgroup barriers (x staged in workgroup memory, tree reductions), which the emulator runs as fiber switches; ORT\'s WebGPU MatMulNBits path for f32-only adapters does less of that. Our kernels are shaped for GPUs (the guard compares them with the GPU-shaped reference kernel, not with ORT); the ratio needs a real GPU to mean anything.',
  quant: 'Arithmetic per element (scale search, rounding, packing; the integer kernel also decodes) costs a CPU many times a copy of the same bytes; on a GPU these kernels are far from compute-bound. The integer round trip is three passes (group parameters, codes, x̂).',
  fwht: 'log2(n) butterfly stages with a workgroup barrier each; on a CPU emulator the barriers and the per-element index arithmetic dominate, on a GPU they are cheap relative to the memory traffic.',
  control: 'The whole run (quantize, error statistics, histograms of 1M elements) executes on SwiftShader on 2 CPU cores, then plotly redraws; the 60 ms debounce is part of it.',
  first: 'Loading the worker and the embedded model, creating the WebGPU device, compiling the pipelines on SwiftShader and the first run, then plotly\'s chunk and first draw.',
  js: 'Charts (plotly) and the model libraries load lazily; the entry chunk holds React, zustand and the UI.',
  scale: 'The statistics themselves (quantization, error sums, histograms per tensor) run on a CPU here, on llvmpipe or in JS, at about 20 MB/s of fp16 input; the read is from the page cache. Memory stays bounded by the largest tensor, not the model.',
};
