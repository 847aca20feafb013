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
mean something about GPUs: the same suites run there unchanged.

**These figures predate the last kernel commits.** They come from the quick run at the commit named
below. Commits after it, measured by their authors in partial runs on the same machine, changed:
the FWHT (butterflies in register rounds: 13–20× the copy kernel on llvmpipe, was 43–64×),
\`matvec_batch\` (llvmpipe m = 8 about 1.5× faster again), the integer quantize (one pass for whole
32-element chunks) and error-statistics kernels, and the app's scheduling (a change runs at once;
control change to charts about 0.57 s and first view about 2.7 s on SwiftShader with \`--only app\`).
Run \`npm run bench\` to refresh every figure below.`;

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
  run finished and both histograms were redrawn; initial
  JavaScript = gzip of the entry chunks of index.html.
- **Scale.** A synthetic Llama-shaped 1.01B-parameter fp16 safetensors file (hidden 2048, MLP 5632,
  19 blocks, vocabulary 8192) written to the temp folder, streamed with our safetensors reader one
  tensor at a time in a child process (its own peak RSS, sampled every 20 ms): read only; read and
  decode; read, decode, INT4 quantization and the app's error statistics and histograms on the
  app's backend (WebGPU on Dawn) and on the CPU reference.`;

export const NOTES = `## Reading the figures

- **The guard is what the kernels were held to.** On llvmpipe our matvec is on par with the fixed
  reference kernel (0.7–1.2×) and the batched and tiled kernels beat it with GPU-shaped launches;
  nothing is flagged. In this session the guard caught one real problem: the tiled matmul launched
  only ceil(n/64) workgroups for m = 8 (3072 threads at 768×768) and won only because the emulator
  rewards few fat threads; small batches now run \`matvec_batch\` (the width of matvec, codes decoded
  once for up to 8 rows of x).
- **SwiftShader penalizes barriers.** There our matvec is 0.4× the reference kernel, matvec_batch (as of
  this run) was slower than the tiled kernel it replaced, and the dense Hadamard product on the reference kernel
  beats the FWHT per element for n ≤ 256: SwiftShader runs a workgroup's invocations as fibers and
  switches all of them at every \`workgroupBarrier\`, so time follows the number of barrier rounds
  (workgroups × stages), not the bytes. We did not tune for that: it is the emulator, not a GPU.
- **ONNX Runtime Web** picks its MatMulNBits program from the adapter; on an adapter without
  \`shader-f16\` its default program stages A in workgroup memory once per K tile and sums a few
  partials per output without a tree, which costs fewer barriers. Its outputs agreed with the CPU
  reference within the same bound as ours on every shape.
- **The forward pass** on llvmpipe spends 2–5% of its time in dispatch overhead (an empty chain with
  the same 204–252 dispatches per pass); INT4 and fp32 weights run at about the same tokens/s since
  the emulator is bound by arithmetic, not by the bytes the 4-bit weights save.
- **Scale.** Peak RSS grows by 77–224 MB over the baseline while streaming the 2.02 GB file
  (one 16.8M-element tensor as fp16, f32, x̂ and GPU staging at a time); the model is never held.

## What would change these figures

- A GPU. Every target about kernels is a statement about GPUs; on this machine the kernels run on a
  CPU through an emulator whose costs (barriers, per-workgroup overhead, scalar arithmetic) are
  unlike a GPU's. No GPU machine was lent to the session that wrote this file.
- The machine: 2 cores shared by the browser, the GPU emulator and Node; the app figures include
  SwiftShader compiling and running every kernel on those cores.`;

/** Why each target is where it is on these adapters (docs/BENCHMARKS.md's last column of the targets table). */
export const LIMITS: LimitsText = {
  peer: 'Measured on SwiftShader only (ORT runs in the browser). There our kernels are barrier-bound: even against our own fixed reference kernel our matvec is 0.4× (on llvmpipe 0.7–1.2×). Not tuned for the emulator; the ratio needs a GPU to mean anything.',
  quant: 'Per element these kernels do tens of ALU operations (scale search, rounding, table search, packing) and some workgroup reductions; a CPU emulator pays for each, while a copy moves a vec4 per thread. Dequantize is 4.4–8.9× copy on llvmpipe (7–31× on SwiftShader), quantize 8.6–169× (38–815×). On a GPU both are far from compute-bound.',
  fwht: 'log2(n) butterfly stages with a workgroup barrier each: on llvmpipe 43–64× copy (n = 64 was 186× before small blocks shared a workgroup), on SwiftShader 132–985×, following the number of barrier rounds.',
  control: 'Of the 2.7 s, the run itself takes about 2.5 s (the status line reads "Computed on WebGPU in 2.4–2.8 s"): the integer quantize and the error statistics run at ~400× and ~300× the copy kernel on SwiftShader. The same job takes 120–175 ms on llvmpipe in Node. Charts and the 60 ms debounce are the rest.',
  first: 'The first run on the embedded default takes about 3.0 s of the 3.6 s (pipeline compilation and the kernels on SwiftShader); loading the page, the worker, the model and plotly the rest.',
  js: 'Charts (plotly, 368 KB gzip) and the worker (152 KB) load after the entry chunk, which holds React, zustand and the UI.',
  scale: 'The statistics (INT4 quantization, error sums, histograms per tensor) run at ~20 MB/s of fp16 input here whether on llvmpipe (16.5× the read) or on the CPU reference (18.7×); the read is 350 MB/s from the page cache. Memory stays bounded by one tensor.',
};
