// tests: the WebGPU forward pass (src/model/gpu) against the CPU reference forward pass: logits, sessions, greedy generation, perplexity, KL statistics, fp32 and packed INT4.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GpuRuntime } from '../../src/gpu/runtime';
import { createRng, normal } from '../../src/lib/rng';
import { configFromHf, tensorName } from '../../src/model/architectures';
import { compareDistributions } from '../../src/model/forward/compare';
import { greedyGenerate, sampleGenerate } from '../../src/model/forward/generate';
import { perplexity } from '../../src/model/forward/perplexity';
import { forwardLogits } from '../../src/model/forward/session';
import type { ForwardModel } from '../../src/model/forward/weights';
import { perplexityWindows, windowRows } from '../../src/model/forward/windows';
import { compareGpu, createGpuModel, generateGpu, type GpuModel, type LinearPacker, perplexityGpu } from '../../src/model/gpu';
import { tokenizerFromGguf, type Tokenizer } from '../../src/model/tokenizer';
import { packWeights } from '../../src/quant/packed/fromFormats';
import { dequantizePacked, type PackedWeights } from '../../src/quant/packed/weights';
import {
  loadGgufModel, loadHfModel, mapModel, randomLlamaWeights, repoRoot, sharedFixtures, tinyLlamaConfig,
} from '../unit/forward-models';
import { createTestRuntime, destroyRuntime } from './harness';

let rt: GpuRuntime;
beforeAll(async () => { rt = await createTestRuntime(); });
afterAll(() => destroyRuntime(rt));

/**
 * Tolerance of GPU logits against the CPU reference, relative to the range of the compared logits.
 * The CPU sums in f64 and stores f32; the GPU runs every step in f32 (a matmul sum of k products is
 * within k·2^-24 of Σ|x·w|, norms, softmax and RoPE add a few roundings each), so through these
 * shallow models the logits move by at most ~5e-7 of their range (the tests print it). The issue's
 * bar is 1e-4; we hold 1e-5, still 20× the largest error seen, while a wrong RoPE pair, GQA head,
 * bias, mask or dequantized weight moves logits by more than 1e-2 of the range.
 */
const LOGIT_RANGE_TOLERANCE = 1e-5;

function expectLogitsClose(got: Float32Array, want: Float32Array, what: string): void {
  expect(got.length, what).toBe(want.length);
  let lo = Infinity, hi = -Infinity, worst = 0, at = -1;
  for (let i = 0; i < want.length; i++) {
    lo = Math.min(lo, want[i]); hi = Math.max(hi, want[i]);
    const d = Math.abs(got[i] - want[i]);
    if (!(d <= worst)) { worst = d; at = i; }
  }
  const range = hi - lo;
  console.log(`${what}: max |GPU − CPU| = ${worst.toExponential(2)} = ${(worst / range).toExponential(2)} of the logit range ${range.toFixed(3)}`);
  expect(worst, `${what}: logit ${at}: GPU ${got[at]}, CPU ${want[at]}`).toBeLessThanOrEqual(LOGIT_RANGE_TOLERANCE * range);
}

/** A packer that quantizes every linear layer (embedding and head included) to INT4 asym, block 32, and remembers what it packed. */
function int4Packer(): { linear: LinearPacker; packed: Map<string, PackedWeights> } {
  const packed = new Map<string, PackedWeights>();
  const linear: LinearPacker = (name, w, n, k) => {
    const p = packWeights(w, n, k, { kind: 'int', params: { bits: 4, mode: 'asym' } }, 'block', 32);
    packed.set(name, p);
    return p;
  };
  return { linear, packed };
}

/** The CPU model with the packed weights' dequantized values (transposed back to [in, out] for GPT-2 Conv1D). */
function dequantizedModel(model: ForwardModel, packed: Map<string, PackedWeights>): ForwardModel {
  const conv1d = model.config.family === 'gpt2' && model.naming === 'hf';
  return {
    config: model.config, naming: model.naming,
    weight(name) {
      const p = packed.get(name);
      if (!p) return model.weight(name);
      const w = dequantizePacked(p);
      if (!conv1d || name.endsWith('wte.weight')) return w;
      const t = new Float32Array(w.length); // [n = out, k = in] -> [in, out]
      for (let r = 0; r < p.n; r++) for (let c = 0; c < p.k; c++) t[c * p.n + r] = w[r * p.k + c];
      return t;
    },
  };
}

/** Runs `body` with a GPU model and frees it afterwards. */
async function withGpu<T>(model: ForwardModel, body: (m: GpuModel) => Promise<T>, linear?: LinearPacker, maxChunk?: number): Promise<T> {
  const gpu = createGpuModel(rt, model, linear, { maxChunk, label: 'test' });
  try {
    return await body(gpu);
  } finally {
    gpu.destroy();
  }
}

/** A GPT-2 with seeded random weights in HF naming (Conv1D [in, out] projections, fused c_attn, biases everywhere). */
function randomGpt2(seed: number): ForwardModel {
  const config = configFromHf({ model_type: 'gpt2', vocab_size: 40, n_embd: 16, n_layer: 2, n_head: 4, n_positions: 32 });
  const c = config, rand = createRng(seed);
  const weights = new Map<string, Float32Array>();
  const put = (slot: Parameters<typeof tensorName>[2], layer: number, size: number, base = 0) =>
    weights.set(tensorName('gpt2', 'hf', slot, layer), Float32Array.from({ length: size }, () => base + 0.3 * normal(rand)));
  put('embedding', 0, c.vocabSize * c.hidden);
  put('position', 0, c.maxPositions * c.hidden);
  put('finalNorm', 0, c.hidden, 1); put('finalNormBias', 0, c.hidden);
  for (let l = 0; l < c.layers; l++) {
    put('attnNorm', l, c.hidden, 1); put('attnNormBias', l, c.hidden); put('ffnNorm', l, c.hidden, 1); put('ffnNormBias', l, c.hidden);
    put('qkv', l, c.hidden * 3 * c.hidden); put('qkvBias', l, 3 * c.hidden);
    put('o', l, c.hidden * c.hidden); put('oBias', l, c.hidden);
    put('up', l, c.hidden * c.ffn); put('upBias', l, c.ffn);
    put('down', l, c.ffn * c.hidden); put('downBias', l, c.hidden);
  }
  return mapModel(config, 'hf', weights);
}

describe('GPU forward pass on small models of every block layout', () => {
  const tiny = path.join(repoRoot, 'tests/fixtures/tiny-random');

  it('Qwen2-style Llama (GQA 4/2, q/k/v biases, rotate_half RoPE, untied head) matches the CPU and the numpy reference', async () => {
    const ref = JSON.parse(readFileSync(path.join(tiny, 'qwen2.json'), 'utf8'));
    const model = await loadHfModel(ref.config, path.join(tiny, 'qwen2.safetensors'));
    const got = await withGpu(model, (m) => m.forward(ref.tokens));
    expectLogitsClose(got, forwardLogits(model, ref.tokens), 'qwen2 vs CPU');
    expectLogitsClose(got, Float32Array.from(ref.logits), 'qwen2 vs numpy');
  });

  it('GPT-NeoX (fused per-head qkv, partial rotary, exact GELU), parallel and sequential residual', async () => {
    const ref = JSON.parse(readFileSync(path.join(tiny, 'neox.json'), 'utf8'));
    for (const parallel of [true, false]) {
      const model = await loadHfModel({ ...ref.config, use_parallel_residual: parallel }, path.join(tiny, 'neox.safetensors'));
      const got = await withGpu(model, (m) => m.forward(ref.tokens));
      expectLogitsClose(got, forwardLogits(model, ref.tokens), `neox ${parallel ? 'parallel' : 'sequential'} vs CPU`);
      expectLogitsClose(got, Float32Array.from(parallel ? ref.logitsParallel : ref.logitsSequential), `neox ${parallel ? 'parallel' : 'sequential'} vs numpy`);
    }
  });

  it('GPT-2 (Conv1D weights transposed at upload, fused c_attn with bias, learned positions, gelu_new, tied head)', async () => {
    const model = randomGpt2(11);
    const tokens = [3, 17, 39, 0, 22, 22, 8, 31, 5];
    expectLogitsClose(await withGpu(model, (m) => m.forward(tokens)), forwardLogits(model, tokens), 'random GPT-2');
  });

  const fakeGpt2 = path.join(sharedFixtures, 'fake-gpt2-random');
  if (!existsSync(fakeGpt2)) console.warn(`skipping the fake GPT-2 GPU check: ${fakeGpt2} is absent (a clone without ../shared)`);
  it.skipIf(!existsSync(fakeGpt2))('fake-gpt2-random (vocab 50257: the head runs in chunks of rows that fit one binding)', async () => {
    const config = JSON.parse(readFileSync(path.join(fakeGpt2, 'config.json'), 'utf8'));
    const model = await loadHfModel(config, path.join(fakeGpt2, 'model.safetensors'));
    const tokens = [464, 2068, 7586, 21831];
    expectLogitsClose(await withGpu(model, (m) => m.forward(tokens)), forwardLogits(model, tokens), 'fake GPT-2');
  });

  it('Llama with GQA, interleaved RoPE, q/k/v biases and a tied head, in chunks of 3 tokens (KV cache across chunks)', async () => {
    const config = tinyLlamaConfig({ ropeStyle: 'interleaved', qkvBias: true, tiedHead: true, headDim: 4, rotaryDim: 4, hidden: 16, heads: 4, kvHeads: 1 });
    const model = mapModel(config, 'hf', randomLlamaWeights(config, 21));
    const tokens = [1, 5, 9, 3, 3, 7, 10, 0, 2, 4];
    expectLogitsClose(await withGpu(model, (m) => m.forward(tokens), undefined, 3), forwardLogits(model, tokens), 'tied interleaved llama, chunks of 3');
  });

  it('sessions: feeding a prompt then single tokens gives the forward rows; ids and capacity are checked', async () => {
    const config = tinyLlamaConfig();
    const model = mapModel(config, 'hf', randomLlamaWeights(config, 3));
    const tokens = [1, 4, 4, 10, 0, 6, 2];
    const all = forwardLogits(model, tokens);
    await withGpu(model, async (m) => {
      const session = m.createSession(8);
      const rows: Float32Array[] = [await session.feed(tokens.slice(0, 4))];
      for (const t of tokens.slice(4)) rows.push(await session.step(t));
      expect(session.position).toBe(7);
      expectLogitsClose(Float32Array.from(rows.flatMap((r) => [...r])), all.slice(3 * 11), 'session rows 3..6');
      await expect(session.feed([11])).rejects.toThrow(/outside this model's vocabulary of 11/);
      await expect(session.feed([1, 2])).rejects.toThrow(/holds 8 positions and 9 were asked for/);
      session.reset();
      expectLogitsClose(await session.step(1), all.slice(0, 11), 'after reset');
      session.destroy();
    }, undefined, 2);
  });

  it('generation: greedy equals the CPU path, seeded sampling draws the same tokens, stop tokens end it', async () => {
    const config = tinyLlamaConfig();
    const model = mapModel(config, 'hf', randomLlamaWeights(config, 3));
    await withGpu(model, async (m) => {
      expect(await generateGpu(m, [1, 5], 12)).toEqual(greedyGenerate(model, [1, 5], 12));
      const options = { temperature: 1.3, topP: 0.9, seed: 42 };
      expect(await generateGpu(m, [1], 12, options)).toEqual(sampleGenerate(model, [1], 12, options));
      const greedy = greedyGenerate(model, [1, 5], 12);
      expect(await generateGpu(m, [1, 5], 12, { stopAt: [greedy[3]] })).toEqual(greedy.slice(0, greedy.indexOf(greedy[3])));
    });
  });

  it('INT4 (asym, block 32) packed weights on GPT-2: GPU logits equal the CPU forward on the dequantized weights', async () => {
    const model = randomGpt2(12);
    const { linear, packed } = int4Packer();
    const tokens = [1, 2, 30, 30, 12, 7];
    const got = await withGpu(model, (m) => m.forward(tokens), linear);
    expect(packed.size).toBe(1 + 4 * model.config.layers); // wte (= tied head) and 4 projections per block
    expectLogitsClose(got, forwardLogits(dequantizedModel(model, packed), tokens), 'GPT-2 INT4 vs CPU dequantized');
  });
});

const storiesDir = path.join(sharedFixtures, 'stories260K');
const evalText = path.join(sharedFixtures, 'eval-text/tinystories_valid_first12stories.txt');
const present = existsSync(storiesDir) && existsSync(evalText);
if (!present) console.warn(`skipping the stories260K GPU forward tests: ${storiesDir} or ${evalText} is absent (a clone without ../shared)`);

describe.skipIf(!present)('stories260K (GGUF F32) on the GPU', () => {
  let model: ForwardModel;
  let tokenizer: Tokenizer;
  let fp32: GpuModel;
  let int4: GpuModel;
  let int4Cpu: ForwardModel;
  let story: number[];
  beforeAll(async () => {
    const loaded = await loadGgufModel(path.join(storiesDir, 'stories260K.gguf'));
    model = loaded.model;
    tokenizer = tokenizerFromGguf(loaded.metadata);
    fp32 = createGpuModel(rt, model, undefined, { label: 'fp32' });
    const { linear, packed } = int4Packer();
    int4 = createGpuModel(rt, model, linear, { label: 'int4' });
    int4Cpu = dequantizedModel(model, packed);
    const stories = readFileSync(evalText, 'utf8').split('<|endoftext|>').map((s) => s.trim()).filter((s) => s.length > 0);
    story = stories.slice(0, 2).flatMap((s) => tokenizer.encode(s, { addBos: true }));
  });
  afterAll(() => { fp32?.destroy(); int4?.destroy(); });

  it('fp32 logits over 160 tokens (two chunks) equal the CPU reference', async () => {
    const tokens = story.slice(0, 160);
    expectLogitsClose(await fp32.forward(tokens), forwardLogits(model, tokens), 'stories260K fp32');
  });

  it('greedy from BOS reproduces llama2.c `run -t 0.0 -n 200` (expected/llama2c_test_all_greedy_200steps.txt)', async () => {
    const out = await generateGpu(fp32, [1], 200, { stopAt: [1] });
    expect(out).toHaveLength(200);
    expect(tokenizer.decode(out)).toBe(readFileSync(path.join(storiesDir, 'expected/llama2c_test_all_greedy_200steps.txt'), 'utf8'));
  });

  it('INT4 (asym, block 32, every matrix) logits equal the CPU forward on the dequantized weights', async () => {
    const tokens = story.slice(0, 64);
    const got = await int4.forward(tokens);
    expectLogitsClose(got, forwardLogits(int4Cpu, tokens), 'stories260K INT4 vs CPU dequantized');
    // ... and differ from the fp32 logits far beyond that tolerance: the quantized weights are really used.
    const fp = forwardLogits(model, tokens);
    expect(Math.max(...got.map((v, i) => Math.abs(v - fp[i])))).toBeGreaterThan(0.05);
  });

  it('perplexity with sliding windows equals the CPU within 1e-4 relative, for fp32 and INT4, with progress and cancel', async () => {
    const options = { context: 96, stride: 48, bos: 1 };
    const progress: number[] = [];
    for (const [gpu, cpu, what] of [[fp32, model, 'fp32'], [int4, int4Cpu, 'int4']] as const) {
      const want = perplexity(cpu, story, options);
      const got = await perplexityGpu(gpu, story, options, { onProgress: (done) => progress.push(done) });
      console.log(`stories260K ${what}: ${got.tokens} tokens, GPU nll ${got.nll.toFixed(6)}, CPU ${want.nll.toFixed(6)}`);
      expect(got.tokens).toBe(want.tokens);
      expect(Math.abs(got.ppl - want.ppl) / want.ppl).toBeLessThan(1e-4);
      expect(Math.abs(got.nll - want.nll) / want.nll).toBeLessThan(1e-4);
      got.perTokenNll.forEach((v, i) => expect(Math.abs(v - want.perTokenNll[i]), `token ${i}`).toBeLessThan(1e-4 * Math.max(1, want.perTokenNll[i])));
    }
    const windows = perplexityWindows(story.length, options, 512).length;
    expect(progress.slice(0, windows)).toEqual(Array.from({ length: windows }, (_, i) => i + 1));
    const controller = new AbortController();
    const cancelled = perplexityGpu(fp32, story, options, { signal: controller.signal, onProgress: (done) => { if (done === 2) controller.abort(); } });
    await expect(cancelled).rejects.toThrow(/abort/i);
  });

  it('fp32 vs INT4 KL statistics on the GPU equal compareDistributions on CPU logits', async () => {
    const options = { context: 128, stride: 64, bos: null };
    const tokens = story.slice(0, 256);
    const got = await compareGpu(fp32, int4, tokens, options);
    // CPU: the same windows' scored rows from both CPU models.
    const rowsA: number[] = [], rowsB: number[] = [], targets: number[] = [];
    for (const w of perplexityWindows(tokens.length, options, 512)) {
      const { input, targets: t } = windowRows(tokens, w, options.bos);
      const a = forwardLogits(model, input), b = forwardLogits(int4Cpu, input);
      t.forEach((id, r) => {
        if (id < 0) return;
        rowsA.push(...a.subarray(r * 512, (r + 1) * 512)); rowsB.push(...b.subarray(r * 512, (r + 1) * 512)); targets.push(id);
      });
    }
    const want = compareDistributions(Float32Array.from(rowsA), Float32Array.from(rowsB), targets);
    const c = got.comparison;
    console.log(`stories260K fp32 vs INT4: KL mean GPU ${c.klMean.toExponential(4)} CPU ${want.klMean.toExponential(4)}, top-1 ${c.top1Agreement} / ${want.top1Agreement}`);
    expect(c.positions).toBe(want.positions);
    expect(c.klMean).toBeGreaterThan(1e-3); // INT4 changes the predictions measurably
    // f32 KL terms: each within a few 1e-7 nats of the f64 value (see compareGpu), the logits within 1e-6 of the range.
    expect(Math.abs(c.klMean - want.klMean)).toBeLessThan(1e-5);
    expect(Math.abs(c.klPercentiles.p99 - want.klPercentiles.p99)).toBeLessThan(1e-5);
    expect(Math.abs(c.top1Agreement - want.top1Agreement)).toBeLessThanOrEqual(1 / c.positions);
    expect(Math.abs(c.meanDeltaP - want.meanDeltaP)).toBeLessThan(1e-5);
    expect(Math.abs(c.rmsDeltaP - want.rmsDeltaP)).toBeLessThan(1e-5);
    expect(Math.abs(c.nllA - want.nllA) / want.nllA).toBeLessThan(1e-4);
    expect(Math.abs(c.nllB - want.nllB) / want.nllB).toBeLessThan(1e-4);
    expect(got.reference.nll).toBeCloseTo(c.nllA, 6);
  });
});
