// cli: `lowbit quantize`: a tensor (.npy) to its dequantized .npy, or a model to safetensors (dequantized fp16/bf16 that transformers loads, and the packed codes and scales), with a report of every metric.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { QuantBackend } from '../engine/backend';
import { quantizedInModel } from '../engine/modelPair';
import type { ResultMetrics } from '../engine/types';
import { filesFolder } from '../model/folder';
import { loadModel, type TensorInfo } from '../model/load';
import { encodeSafetensors, type SafetensorsTensor } from '../model/safetensors';
import { bitsPerWeightOf, layoutFor, quantizeWith } from '../quant/apply';
import { BF16 } from '../quant/formats/fp';
import { fp32ToFp16Bits } from '../quant/ggml/common';
import { errorMetrics } from '../quant/metrics';
import { packWeights, type PackedWeights } from '../quant/packed';
import { recipeLabel } from '../spec/defaults';
import { formatChoice } from '../spec/formatChoice';
import { resultChecksum } from '../spec/link';
import type { Recipe } from '../spec/schema';
import { backendFlag, type FlagSpec, parseFlags, stringFlag } from './args';
import { InputError, UsageError } from './errors';
import { metricRows, num, type Output, table } from './format';
import { readRecipe } from './inputs';
import { readNpy, writeNpy } from './npy';
import { modelFiles, openBackend } from './node';
import { transpose } from '../lib/matrix';

export const QUANTIZE_HELP = `lowbit quantize --recipe <preset | recipe.json> --in <input> --out <output> [options]

Quantizes a tensor or a model with a recipe and measures the error.

  --recipe <r>        a preset id (llama-q4_0, bnb-nf4, gptq-int4-g128, …: see docs/CLI.md) or a
                      .json file with a recipe {format, granularity} or a whole spec
  --in <x.npy>        a tensor saved by numpy (float or int, C order). Its last axis is a row
                      (groups run along it); the axes before it are flattened into rows.
  --out <y.npy>       the dequantized tensor: f32, same shape
  --in <model>        a .safetensors file (config.json and tokenizer files beside it are taken
                      along), a model folder, or a .gguf file
  --out <folder>      writes model.safetensors (every tensor, the block projections quantized and
                      dequantized, in --dtype: transformers loads the folder), model.packed.safetensors
                      (their packed codes and scales, layout in docs/CLI.md) and copies config.json
                      and the tokenizer files
  --dtype <t>         bf16 (default) or f16: the element type of model.safetensors
  --report <file>     also write the report (every metric; per tensor for a model) as JSON
  --json              print the report instead of the table
  --backend <b>       auto (default), webgpu or cpu: where the error is measured (the quantized
                      values are the CPU reference's, which the GPU kernels equal bit for bit)
  -h, --help          this text

Examples:
  lowbit quantize --recipe llama-q4_0 --in weights.npy --out weights-q4_0.npy --report report.json
  lowbit quantize --recipe recipe.json --in ./SmolLM2-135M --out ./SmolLM2-135M-int4 --dtype f16`;

const FLAGS: Record<string, FlagSpec> = {
  recipe: { type: 'string' }, in: { type: 'string' }, out: { type: 'string' }, dtype: { type: 'string' },
  report: { type: 'string' }, json: { type: 'boolean' }, backend: { type: 'string' },
};

/** Files copied next to a quantized model so transformers can load the folder. */
const COPIED = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'generation_config.json', 'special_tokens_map.json'];

/**
 * Error metrics and storage of x quantized by `recipe` as a [rows, cols] matrix, measured on
 * `backend`; and x̂ (the CPU reference's). A format that refuses the shape (a ggml block longer
 * than the row) is an InputError naming `what`.
 */
async function quantizeMatrix(x: Float32Array, rows: number, cols: number, recipe: Recipe, backend: QuantBackend, what: string) {
  const choice = formatChoice(recipe);
  const layout = layoutFor(choice, rows, cols, recipe.granularity.kind, recipe.granularity.blockSize);
  let xhat: Float32Array;
  try {
    xhat = quantizeWith(x, layout, choice).xhat;
  } catch (e) {
    throw new InputError(`${recipeLabel(recipe)} cannot quantize ${what} [${rows}×${cols}]: ${e instanceof Error ? e.message : String(e)}. Choose a recipe that fits its rows.`);
  }
  const out = await backend.run(x, layout, choice);
  const bitsPerWeight = bitsPerWeightOf(choice, x.length, layout.groupCount);
  const metrics: ResultMetrics = { ...errorMetrics(out.sums), bitsPerWeight, storageBytes: Math.ceil((bitsPerWeight * x.length) / 8) };
  return { xhat, metrics, groupCount: layout.groupCount, groupSize: layout.groupSize };
}

/** JSON numbers for a report: Infinity and NaN as strings (JSON has neither). */
const jsonMetrics = (m: ResultMetrics) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, Number.isFinite(v) ? v : String(v)]));

function readBytes(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new InputError(`${path} could not be read (${e instanceof Error ? e.message : String(e)}). Check the path.`);
  }
}

function write(path: string, data: Uint8Array | string): void {
  try {
    writeFileSync(path, data);
  } catch (e) {
    throw new InputError(`${path} could not be written (${e instanceof Error ? e.message : String(e)}). Check that its folder exists and is writable.`);
  }
}

async function quantizeTensor(input: string, output: string, recipe: Recipe, backend: QuantBackend) {
  const { data, shape, descr } = readNpy(readBytes(input), input);
  const cols = shape.length === 0 ? 1 : shape[shape.length - 1];
  const rows = cols === 0 ? 0 : data.length / cols;
  if (data.length === 0) throw new InputError(`${input} is empty (shape (${shape.join(', ')})): there is nothing to quantize.`);
  const q = await quantizeMatrix(data, rows, cols, recipe, backend, input);
  write(output, writeNpy(q.xhat, shape));
  const report = {
    format: 'lowbit-quantize-report', version: 1, input, output, recipe, recipeLabel: recipeLabel(recipe),
    backend: backend.device.backend, tensor: { dtype: descr, shape, rows, cols, groups: { count: q.groupCount, size: q.groupSize } },
    checksum: resultChecksum(q.metrics), metrics: jsonMetrics(q.metrics),
  };
  const text = `${recipeLabel(recipe)} on ${input} [${rows}×${cols}]\n\n${table(metricRows({ metrics: q.metrics, groupCount: q.groupCount, groupSize: q.groupSize }))}\n\nwrote ${output}`;
  return { report, text };
}


/** f32 values as little-endian fp16 (IEEE, as torch's .half(): ties to even, overflow to ±inf) or bf16 (ties to even). */
function encodeHalf(x: Float32Array, dtype: 'F16' | 'BF16'): Uint8Array {
  const out = new Uint16Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = dtype === 'F16' ? fp32ToFp16Bits(x[i]) : BF16.encode(x[i]);
  return new Uint8Array(out.buffer);
}

/** The packed safetensors entries of one weight (docs/CLI.md "Packed layout"): codes as bytes, f32 scales, and shifts / table when the mode has them. */
function packedEntries(name: string, p: PackedWeights): SafetensorsTensor[] {
  const f32 = (suffix: string, a: Float32Array): SafetensorsTensor => ({ name: `${name}.${suffix}`, dtype: 'F32', shape: [a.length], data: new Uint8Array(a.buffer, a.byteOffset, a.byteLength) });
  const codes = new Uint8Array(p.codes.buffer, p.codes.byteOffset, p.codes.byteLength);
  return [
    { name: `${name}.codes`, dtype: 'U8', shape: [p.n, codes.length / p.n], data: codes },
    f32('scales', p.scales),
    ...(p.shifts.length ? [f32('shifts', p.shifts)] : []),
    ...(p.table.length ? [f32('table', p.table)] : []),
  ];
}

async function quantizeModel(input: string, outDir: string, recipe: Recipe, dtype: 'F16' | 'BF16', backend: QuantBackend, io: Output) {
  const files = await modelFiles(input);
  const loaded = await loadModel(filesFolder(basename(input), files));
  const choice = formatChoice(recipe);
  const targets = new Set(loaded.summary.tensors.filter((t) => t.quantizable && quantizedInModel(t.name)).map((t) => t.name));
  if (targets.size === 0) {
    throw new InputError(`${input} has no attention or MLP projection that lowbit recognises (${loaded.summary.description}); lowbit quantizes the block projections of Llama, GPT-2 and GPT-NeoX models.`);
  }
  const dequantized: SafetensorsTensor[] = [];
  const packed: SafetensorsTensor[] = [];
  const layouts: Record<string, string> = {};
  const tensors: object[] = [];
  let params = 0, bits = 0;
  for (const t of loaded.summary.tensors) {
    const w = await loaded.readTensor(t.name);
    if (!targets.has(t.name)) {
      dequantized.push({ name: t.name, dtype, shape: t.shape, data: encodeHalf(w, dtype) });
      continue;
    }
    io.err(`quantizing ${t.name} [${t.shape.join('×')}]\n`);
    const q = await quantizeOne(t, w, recipe, backend);
    dequantized.push({ name: t.name, dtype, shape: t.shape, data: encodeHalf(q.xhat, dtype) });
    let packedAs: object | null = null;
    try {
      const p = packWeights(q.oriented, q.n, q.k, choice, recipe.granularity.kind, recipe.granularity.blockSize);
      packed.push(...packedEntries(t.name, p));
      packedAs = { mode: p.mode, bits: p.bits, n: p.n, k: p.k, groupSize: p.groupSize, groupsPerRow: p.groupsPerRow, transposed: t.inputAxis === 0 };
      layouts[t.name] = JSON.stringify(packedAs);
    } catch {
      // NUPES and PTQTP have no code-and-scale form: their weights are only in model.safetensors.
    }
    params += t.params;
    bits += q.metrics.bitsPerWeight * t.params;
    tensors.push({ name: t.name, shape: t.shape, n: q.n, k: q.k, groups: { count: q.groupCount, size: q.groupSize }, packed: packedAs, checksum: resultChecksum(q.metrics), metrics: jsonMetrics(q.metrics) });
  }
  mkdirSync(outDir, { recursive: true });
  write(join(outDir, 'model.safetensors'), encodeSafetensors(dequantized, { format: 'pt' }));
  if (packed.length) {
    write(join(outDir, 'model.packed.safetensors'), encodeSafetensors(packed, { format: 'lowbit-packed', 'lowbit.packed.version': '1', 'lowbit.recipe': JSON.stringify(recipe), ...layouts }));
  }
  for (const f of files) if (COPIED.includes(f.name)) write(join(outDir, f.name), new Uint8Array(await f.arrayBuffer()));
  const gguf = loaded.summary.format === 'gguf';
  if (gguf) io.err('note: the input is a GGUF file, so model.safetensors keeps its GGUF tensor names; transformers reads GGUF itself (from_pretrained(..., gguf_file=...)).\n');
  const bitsPerWeight = params > 0 ? bits / params : 0;
  const report = {
    format: 'lowbit-quantize-report', version: 1, input, output: outDir, recipe, recipeLabel: recipeLabel(recipe), backend: backend.device.backend,
    model: loaded.summary.description, dtype, quantizedTensors: tensors.length, quantizedParams: params, bitsPerWeight,
    packedFile: packed.length ? 'model.packed.safetensors' : null, tensors,
  };
  const text = `${recipeLabel(recipe)}: ${tensors.length} tensors (${params.toLocaleString('en-US')} weights) at ${num(bitsPerWeight)} bits per weight\n`
    + `wrote ${join(outDir, 'model.safetensors')} (${dtype})${packed.length ? ` and ${join(outDir, 'model.packed.safetensors')}` : ''}`;
  return { report, text };
}

/** One block projection quantized in nn.Linear orientation [n = out, k = in] (groups along the input), x̂ back in stored layout. */
async function quantizeOne(t: TensorInfo, w: Float32Array, recipe: Recipe, backend: QuantBackend) {
  const [rows, cols] = t.shape;
  const conv1d = t.inputAxis === 0;
  const [n, k] = conv1d ? [cols, rows] : [rows, cols];
  const oriented = conv1d ? transpose(w, rows, cols) : w;
  const q = await quantizeMatrix(oriented, n, k, recipe, backend, t.name);
  return { ...q, n, k, oriented, xhat: conv1d ? transpose(q.xhat, n, k) : q.xhat };
}

/** Runs `lowbit quantize` with `argv` (after "quantize"); resolves to the exit code. */
export async function quantizeCommand(argv: readonly string[], io: Output): Promise<number> {
  const flags = parseFlags('quantize', argv, FLAGS);
  if (flags.values.help) { io.out(`${QUANTIZE_HELP}\n`); return 0; }
  const recipeArg = stringFlag(flags, 'recipe', 'quantize', true);
  const input = stringFlag(flags, 'in', 'quantize', true);
  const output = stringFlag(flags, 'out', 'quantize', true);
  const dtypeArg = stringFlag(flags, 'dtype', 'quantize') ?? 'bf16';
  if (dtypeArg !== 'bf16' && dtypeArg !== 'f16') throw new UsageError(`--dtype is bf16 or f16, not "${dtypeArg}". See lowbit quantize --help.`);
  const choice = backendFlag(flags, 'quantize');
  const tensorMode = input.endsWith('.npy');
  if (tensorMode && !output.endsWith('.npy')) throw new UsageError(`A tensor (--in ${input}) is written as .npy: give --out a name ending in .npy. See lowbit quantize --help.`);
  const { recipe, notices, label } = readRecipe(recipeArg);
  for (const n of notices) io.err(`note: ${n}\n`);
  if (recipe.transform) {
    throw new InputError(`The recipe in ${label} has a ${recipe.transform.method} step, which lowbit quantize does not apply yet: remove "transform" from the recipe (lowbit run measures recipes with a transform).`);
  }
  const backend = await openBackend(choice);
  try {
    const { report, text } = tensorMode
      ? await quantizeTensor(input, output, recipe, backend)
      : await quantizeModel(input, output, recipe, dtypeArg === 'f16' ? 'F16' : 'BF16', backend, io);
    const reportPath = stringFlag(flags, 'report', 'quantize');
    if (reportPath) write(reportPath, `${JSON.stringify(report, null, 2)}\n`);
    io.out(flags.values.json ? `${JSON.stringify(report, null, 2)}\n` : `${text}${reportPath ? `\nreport ${reportPath}` : ''}\n`);
    return 0;
  } finally {
    backend.dispose();
  }
}
