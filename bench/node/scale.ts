// bench (node): the scale benchmark: writes a synthetic Llama-shaped fp16 safetensors file of ~50M (--quick) or ~1B (--full) parameters to disk, then streams it tensor by tensor through the app's per-tensor quantization statistics, timing it against merely reading the file and sampling peak memory.
import { closeSync, openAsBlob, openSync, writeSync } from 'node:fs';
import { basename } from 'node:path';
import type { QuantBackend } from '../../src/engine/backend';
import { createCpuBackend } from '../../src/engine/cpuBackend';
import { selectBackend } from '../../src/engine/select';
import { blobSource } from '../../src/model/byteSource';
import { decodeToFloat32 } from '../../src/model/dtypes';
import { readSafetensorsDirectory } from '../../src/model/safetensors';
import type { FormatChoice } from '../../src/quant/apply';
import { layoutFor } from '../../src/quant/apply';
import { FP16 } from '../../src/quant/formats/fp';
import { normalFloats } from '../data';

/** A Llama-shaped stack: hidden size, MLP width, blocks, vocabulary (embedding and head kept under the app's 64M-element tensor limit). */
export interface SyntheticShape {
  readonly hidden: number;
  readonly ffn: number;
  readonly layers: number;
  readonly vocab: number;
}

/** The tensors of a shape, [name, rows, cols], in file order. */
export function syntheticTensors(s: SyntheticShape): [string, number, number][] {
  const out: [string, number, number][] = [['model.embed_tokens.weight', s.vocab, s.hidden]];
  for (let l = 0; l < s.layers; l++) {
    const p = `model.layers.${l}`;
    out.push(
      [`${p}.self_attn.q_proj.weight`, s.hidden, s.hidden], [`${p}.self_attn.k_proj.weight`, s.hidden, s.hidden],
      [`${p}.self_attn.v_proj.weight`, s.hidden, s.hidden], [`${p}.self_attn.o_proj.weight`, s.hidden, s.hidden],
      [`${p}.mlp.gate_proj.weight`, s.ffn, s.hidden], [`${p}.mlp.up_proj.weight`, s.ffn, s.hidden], [`${p}.mlp.down_proj.weight`, s.hidden, s.ffn],
    );
  }
  out.push(['lm_head.weight', s.vocab, s.hidden]);
  return out;
}

/** ~1B parameters (hidden 2048, MLP 5632, 19 blocks, vocabulary 8192: 1.01e9), or ~59M for --quick. */
export function syntheticShape(params: number): SyntheticShape {
  return params >= 5e8 ? { hidden: 2048, ffn: 5632, layers: 19, vocab: 8192 } : { hidden: 512, ffn: 1408, layers: 8, vocab: 32000 };
}

/**
 * Writes the safetensors file piece by piece (encodeSafetensors builds a file in memory; this one
 * may be 2 GB): the header as the format defines it (8-byte length, JSON padded with spaces to a
 * multiple of 8), then each tensor's fp16 values, cycled from a 4M-value pool of N(0, 0.02²)
 * draws at a different offset per tensor. Returns the file size and parameter count.
 */
export function writeSyntheticModel(path: string, shape: SyntheticShape): { bytes: number; params: number } {
  const tensors = syntheticTensors(shape);
  let offset = 0;
  const fields = tensors.map(([name, rows, cols]) => {
    const begin = offset;
    offset += rows * cols * 2;
    return `${JSON.stringify(name)}:${JSON.stringify({ dtype: 'F16', shape: [rows, cols], data_offsets: [begin, offset] })}`;
  });
  const json = new TextEncoder().encode(`{${fields.join(',')}}`);
  const headerLength = Math.ceil(json.length / 8) * 8;
  const head = new Uint8Array(8 + headerLength).fill(0x20);
  new DataView(head.buffer).setBigUint64(0, BigInt(headerLength), true);
  head.set(json, 8);
  const pool = Uint16Array.from(normalFloats(1 << 22, 41, 0.02), (v) => FP16.encode(v));
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, head);
    const chunk = new Uint16Array(1 << 22);
    for (const [t, [, rows, cols]] of tensors.entries()) {
      let left = rows * cols, at = (t * 7919) % pool.length;
      while (left > 0) {
        const n = Math.min(left, chunk.length);
        for (let i = 0; i < n; i++) chunk[i] = pool[(at + i) & (pool.length - 1)];
        writeSync(fd, new Uint8Array(chunk.buffer, 0, n * 2));
        left -= n;
        at = (at + n) & (pool.length - 1);
      }
    }
  } finally {
    closeSync(fd);
  }
  return { bytes: head.length + offset, params: offset / 2 };
}

/** Samples the resident set size every 20 ms: peak() is the largest seen (bytes) since start. */
function rssSampler() {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage.rss()); }, 20);
  return { peak: () => Math.max(peak, process.memoryUsage.rss()), stop: () => clearInterval(timer) };
}

/** What one streaming pass over the file measured. */
export interface ScalePass {
  readonly seconds: number;
  readonly peakRssBytes: number;
}

/** What the child process reports for the scale benchmark. */
export interface ScaleReport {
  readonly file: string;
  readonly fileBytes: number;
  readonly params: number;
  readonly tensors: number;
  readonly writeSeconds: number;
  readonly baselineRssBytes: number;
  /** Every tensor's bytes read through the model loader's ByteSource, nothing else. */
  readonly read: ScalePass;
  /** Read and decoded to f32 (readTensor's work). */
  readonly decode: ScalePass;
  /** Read, decoded, quantized (INT4 sym block 32) and measured with the app's backend (WebGPU when Dawn has an adapter), one tensor at a time. */
  readonly stats: StatsPass;
  /** The same with the CPU reference backend, for comparison. */
  readonly cpuStats: StatsPass;
  /** Elements of the largest tensor (what one step of the stream holds). */
  readonly largestTensor: number;
}

/** A statistics pass: its time and peak memory, the backend, and the SQNR it measured (the check that work was done). */
export interface StatsPass extends ScalePass {
  readonly backend: string;
  readonly meanSqnrDb: number;
  readonly worstSqnrDb: number;
}

/** INT4 symmetric, blocks of 32 along each row: the statistics each tensor gets. */
const CHOICE: FormatChoice = { kind: 'int', params: { bits: 4, mode: 'sym' } };

/**
 * Streams `path` four times (read only; read + decode; read + decode + quantization statistics on
 * the app's backend, then on the CPU reference),
 * holding one tensor at a time, with the RSS sampled throughout. `gpu` is Dawn's GPU for the app's
 * WebGPU backend (the CPU reference when null). Meant for a child process, so the peaks are its own.
 */
export async function streamModel(path: string, gpu: GPU | null): Promise<Omit<ScaleReport, 'writeSeconds'>> {
  const baselineRssBytes = process.memoryUsage.rss();
  const source = blobSource(new File([await openAsBlob(path)], basename(path)));
  const dir = await readSafetensorsDirectory(source);
  const pass = async (work: (bytes: Uint8Array, entry: (typeof dir.entries)[number]) => Promise<void>): Promise<ScalePass> => {
    const sampler = rssSampler();
    const t0 = performance.now();
    for (const entry of dir.entries) await work(await source.read(entry.byteOffset, entry.byteOffset + entry.byteLength), entry);
    const seconds = (performance.now() - t0) / 1e3;
    sampler.stop();
    return { seconds, peakRssBytes: sampler.peak() };
  };
  const read = await pass(async () => {});
  const decode = await pass(async (bytes, entry) => { decodeToFloat32(entry.dtype, bytes, entry.shape); });
  const statsPass = async (backend: QuantBackend): Promise<StatsPass> => {
    const sqnr: number[] = [];
    try {
      const timed = await pass(async (bytes, entry) => {
        const x = decodeToFloat32(entry.dtype, bytes, entry.shape);
        const [rows, cols] = entry.shape;
        const out = await backend.run(x, layoutFor(CHOICE, rows, cols, 'block', 32), CHOICE);
        sqnr.push(10 * Math.log10(out.sums.sumSqSignal / out.sums.sumSqErr));
      });
      return { ...timed, backend: backend.device.backend, meanSqnrDb: sqnr.reduce((a, b) => a + b, 0) / sqnr.length, worstSqnrDb: Math.min(...sqnr) };
    } finally {
      backend.dispose();
    }
  };
  const stats = await statsPass(gpu ? await selectBackend(gpu) : createCpuBackend('Dawn found no adapter.'));
  const cpuStats = await statsPass(createCpuBackend('the scale benchmark\'s CPU comparison'));
  return {
    file: path, fileBytes: source.size, params: dir.entries.reduce((a, e) => a + e.byteLength / 2, 0), tensors: dir.entries.length,
    baselineRssBytes, read, decode, stats, cpuStats,
    largestTensor: Math.max(...dir.entries.map((e) => e.byteLength / 2)),
  };
}
