// spec: exports: the recipe as another tool's command or config (llama.cpp, bitsandbytes, torchao, GPTQModel) with warnings where formats differ; results as JSON and CSV.
import { fixedBlockOf } from './formatChoice';
import { type ChecksumMetrics, resultChecksum } from './link';
import type { ExperimentSpec, IntFormat, Recipe } from './schema';
import { replacesFormat } from './transformSchema';

/** The tools a recipe can be exported to. */
export const EXPORT_TARGETS = ['llama.cpp', 'bitsandbytes', 'torchao', 'gptqmodel'] as const;
export type ExportTarget = (typeof EXPORT_TARGETS)[number];

/** One tool's equivalent of a recipe: code to paste with what differs, or why there is none. */
export type ExportResult =
  | {
    readonly target: ExportTarget;
    readonly available: true;
    /** A shell command (llama.cpp) or a Python snippet (the others). */
    readonly language: 'shell' | 'python';
    readonly code: string;
    /** Where the tool's format is not exactly lowbit's; empty when it is the same quantizer. */
    readonly warnings: readonly string[];
  }
  | { readonly target: ExportTarget; readonly available: false; readonly reason: string };

type Body = { language: 'shell' | 'python'; code: string; warnings: string[] } | string;

/** The model as a tool would be pointed at it: the hub repo, a placeholder for the others. */
function modelName(spec: ExperimentSpec): string {
  const s = spec.source;
  if (s.kind === 'synthetic') return 'your-org/your-model';
  return s.model.kind === 'hub' ? s.model.repo : `path/to/${s.model.name}`;
}

/** Weights per group as the tools count them: a block size, -1 for a whole row, null for per-tensor or per-column. */
function groupOf(recipe: Recipe): number | null {
  const fixed = fixedBlockOf(recipe);
  if (fixed !== null) return fixed === 0 ? null : fixed;
  const g = recipe.granularity;
  return g.kind === 'block' ? g.blockSize : g.kind === 'row' ? -1 : null;
}

/** Warnings every target shares: the transform step and the integer options no tool has. */
function commonWarnings(recipe: Recipe, tool: string): string[] {
  const w: string[] = [];
  if (recipe.transform) w.push(`The recipe's ${recipe.transform.method} step has no equivalent in ${tool}: this quantizes without it.`);
  const f = recipe.format;
  if (f.kind === 'int') {
    if (f.rounding === 'stochastic') w.push(`${tool} rounds to nearest; lowbit's stochastic rounding is not reproduced.`);
    if (f.clip.kind !== 'none') w.push(`${tool} has no ${f.clip.kind === 'mse' ? 'MSE clip search' : 'percentile clip'}: its ranges are the group's min/max.`);
    if (f.scale !== 'fp32' && f.scale !== 'fp16' && f.scale !== 'bf16') w.push(`${tool} stores scales in 16 or 32 bits, not ${f.scale}.`);
  } else if (f.kind === 'format' && (f.rounding === 'stochastic' || (f.clip && f.clip.kind !== 'none'))) {
    w.push(`${tool} does not take lowbit's stochastic rounding or percentile clip: they are not reproduced.`);
  }
  return w;
}

// --- llama.cpp -----------------------------------------------------------------------------------

/** llama-quantize types with the same block format as a lowbit registry id (ggml's quantize_row_*_ref). */
const LLAMA_TYPES: Readonly<Record<string, string>> = {
  q8_0: 'Q8_0', q4_0: 'Q4_0', q4_1: 'Q4_1', q5_0: 'Q5_0', q5_1: 'Q5_1', q4_k: 'Q4_K_S', q6_k: 'Q6_K', iq4_nl: 'IQ4_NL',
};

/** The closest ggml type to an integer recipe (same block of 32, different scale rule), or null. */
function closestGgml(f: IntFormat, group: number | null): string | null {
  if (group !== 32) return null;
  const sym = f.mode === 'sym' || f.mode === 'sym-full';
  if (f.bits === 8 && sym) return 'Q8_0';
  if (f.bits === 4) return sym ? 'Q4_0' : 'Q4_1';
  if (f.bits === 5) return sym ? 'Q5_0' : 'Q5_1';
  return null;
}

function llamaCpp(spec: ExperimentSpec): Body {
  const { recipe } = spec;
  const f = recipe.format;
  const warnings = commonWarnings(recipe, 'llama.cpp');
  let type: string | null = null;
  if (f.kind === 'format') type = LLAMA_TYPES[f.id] ?? null;
  if (f.kind === 'format' && f.id === 'iq4_nl' && f.scale !== undefined && f.scale !== 'fp16') warnings.push(`IQ4_NL stores fp16 scales in GGUF; lowbit's ${f.scale} scales are not a GGUF layout.`);
  if (f.kind === 'int') {
    type = closestGgml(f, groupOf(recipe));
    if (type) {
      warnings.push(`${type} is the closest ggml type, not the same quantizer: ${type === 'Q8_0' ? 'Q8_0 rounds ties away from zero and stores an fp16 scale' : type.endsWith('_0') ? `${type} takes its scale from the signed element of largest magnitude (d = max / -${1 << (f.bits - 1)}) with an fp16 scale` : `${type} stores an fp16 scale and an fp16 minimum (a float offset, not an integer zero point)`}.`);
    }
  }
  if (!type) {
    return f.kind === 'format' && f.id === 'mxfp4'
      ? 'llama-quantize applies MXFP4 only to mixture-of-experts weights (type MXFP4_MOE), so a dense layer has no equivalent.'
      : 'llama.cpp has no block type equal to this format (its types are Q4_0..Q8_0, the K-quants and the IQ types).';
  }
  if (type === 'Q4_K_S') warnings.push('With --pure every tensor is Q4_K; without it, Q4_K_S raises some attn_v and ffn_down tensors to Q5_K and the output to Q6_K.');
  warnings.push('--pure quantizes every 2-D tensor (embeddings and output included); lowbit\'s model evaluation quantizes only the block projections.');
  const stem = modelName(spec).split('/').pop() ?? 'model';
  const code = [
    `# 1. convert the model to a GGUF in f16 (llama.cpp's convert_hf_to_gguf.py)`,
    `python convert_hf_to_gguf.py ${modelName(spec)} --outtype f16 --outfile ${stem}-F16.gguf`,
    `# 2. quantize every tensor to ${type}`,
    `llama-quantize --pure ${stem}-F16.gguf ${stem}-${type}.gguf ${type}`,
  ].join('\n');
  return { language: 'shell', code, warnings };
}

// --- bitsandbytes (through transformers' BitsAndBytesConfig) --------------------------------------

function bitsandbytes(spec: ExperimentSpec): Body {
  const { recipe } = spec;
  const f = recipe.format;
  const warnings = commonWarnings(recipe, 'bitsandbytes');
  const group = groupOf(recipe);
  let config: string[];
  if (f.kind === 'format' && ['nf4', 'nf4-dq', 'fp4-bnb', 'fp4-e2m1'].includes(f.id)) {
    const type = f.id.startsWith('nf4') ? 'nf4' : 'fp4';
    if (f.id === 'fp4-e2m1') {
      warnings.push('bitsandbytes FP4 is not E2M1: its 16 values (bitsandbytes functional.py) differ from OCP E2M1\'s 0, 0.5, 1, 1.5, 2, 3, 4, 6, so the errors differ. lowbit\'s "FP4 (bitsandbytes)" format is the exact one.');
    }
    if (group !== 64) warnings.push(`bitsandbytes 4-bit uses blocks of 64 (transformers has no setting for it); this recipe uses ${group === null ? 'one scale per tensor or column' : group === -1 ? 'one scale per row' : `blocks of ${group}`}.`);
    if (f.scale !== undefined && f.scale !== 'fp32') warnings.push(`bitsandbytes stores fp32 absmax scales (or 8-bit ones with double quant), not ${f.scale}.`);
    warnings.push('bitsandbytes blocks the flattened weight, so blocks cross rows unless the row length is a multiple of 64.');
    config = [
      'load_in_4bit=True',
      `bnb_4bit_quant_type="${type}"`,
      `bnb_4bit_use_double_quant=${f.id === 'nf4-dq' ? 'True' : 'False'}`,
      'bnb_4bit_compute_dtype=torch.bfloat16',
    ];
  } else if (f.kind === 'int' && f.bits === 8 && group === -1 && (f.mode === 'sym' || f.mode === 'sym-full')) {
    warnings.push('LLM.int8() also keeps activation outlier features (|x| > llm_int8_threshold, 6.0) in fp16 at run time; the int8 weights are absmax per row like this recipe.');
    if (f.mode === 'sym-full') warnings.push('LLM.int8() scales by absmax / 127 (lowbit\'s "sym"), not the full range [-128, 127].');
    config = ['load_in_8bit=True', 'llm_int8_threshold=6.0'];
  } else {
    return 'bitsandbytes quantizes to NF4 or its own FP4 in blocks of 64, or to LLM.int8() per row: this format is none of them.';
  }
  const code = [
    'import torch',
    'from transformers import AutoModelForCausalLM, BitsAndBytesConfig',
    '',
    'quantization_config = BitsAndBytesConfig(',
    ...config.map((c) => `    ${c},`),
    ')',
    `model = AutoModelForCausalLM.from_pretrained("${modelName(spec)}", quantization_config=quantization_config)`,
  ].join('\n');
  return { language: 'python', code, warnings };
}

// --- torchao ---------------------------------------------------------------------------------------

function torchao(spec: ExperimentSpec): Body {
  const { recipe } = spec;
  const f = recipe.format;
  const warnings = commonWarnings(recipe, 'torchao');
  const group = groupOf(recipe);
  let imports: string[];
  let config: string;
  if (f.kind === 'int') {
    if (group === null) return 'torchao quantizes weights per group or per output channel; per-tensor and per-column scales have no config.';
    const granularity = group === -1 ? 'PerAxis(0)' : `PerGroup(${group})`;
    if (f.bits === 4 && f.mode === 'asym-float' && [32, 64, 128, 256].includes(group)) {
      warnings.push('Int4WeightOnlyConfig (tinygemm) uses a float zero point like lowbit\'s asym-float, but places it at the group\'s midpoint (zero = min + 8·scale) and stores bf16 scales and zeros.');
      imports = ['Int4WeightOnlyConfig'];
      config = `Int4WeightOnlyConfig(group_size=${group})`;
    } else {
      const mapping = f.mode === 'asym' || f.mode === 'asym-float' ? 'ASYMMETRIC' : 'SYMMETRIC';
      if (f.mode === 'sym') warnings.push(`torchao's SYMMETRIC is lowbit's "sym-full": scale = 2·absmax/(2^${f.bits}−1) over [−${1 << (f.bits - 1)}, ${(1 << (f.bits - 1)) - 1}]; lowbit's "sym" uses absmax/${(1 << (f.bits - 1)) - 1} and never the code −${1 << (f.bits - 1)}.`);
      if (f.mode === 'asym-float') warnings.push('torchao\'s ASYMMETRIC uses an integer zero point (lowbit\'s "asym"), not a float one.');
      imports = ['IntxWeightOnlyConfig', 'MappingType', group === -1 ? 'PerAxis' : 'PerGroup'];
      config = `IntxWeightOnlyConfig(weight_dtype=torch.int${f.bits}, granularity=${granularity}, mapping_type=MappingType.${mapping})`;
    }
  } else if (f.kind === 'format' && f.id === 'fp8-e4m3') {
    if (group !== -1) warnings.push('Float8WeightOnlyConfig scales per output channel (row); this recipe groups differently.');
    imports = ['Float8WeightOnlyConfig'];
    config = 'Float8WeightOnlyConfig(weight_dtype=torch.float8_e4m3fn)';
  } else if (f.kind === 'format' && f.id === 'nvfp4') {
    warnings.push('NVFP4WeightOnlyConfig is in torchao.prototype.mx_formats: a prototype API that may change.');
    return {
      language: 'python', warnings,
      code: pythonTorchao(spec, 'from torchao.prototype.mx_formats import NVFP4WeightOnlyConfig', 'NVFP4WeightOnlyConfig()'),
    };
  } else {
    return 'torchao has weight-only configs for integers (1-8 bits), FP8 E4M3 and (prototype) NVFP4: this format is none of them.';
  }
  return { language: 'python', code: pythonTorchao(spec, `from torchao.quantization import ${imports.join(', ')}`, config), warnings };
}

function pythonTorchao(spec: ExperimentSpec, importLine: string, config: string): string {
  return [
    'import torch',
    'from transformers import AutoModelForCausalLM, TorchAoConfig',
    importLine,
    '',
    `quantization_config = TorchAoConfig(quant_type=${config})`,
    `model = AutoModelForCausalLM.from_pretrained("${modelName(spec)}", torch_dtype=torch.bfloat16, quantization_config=quantization_config)`,
  ].join('\n');
}

// --- GPTQModel -------------------------------------------------------------------------------------

function gptqModel(spec: ExperimentSpec): Body {
  const { recipe } = spec;
  const f = recipe.format;
  if (f.kind !== 'int') return 'GPTQ quantizes to integers (2, 3, 4 or 8 bits) with a scale and zero point per group: this format is not one.';
  if (![2, 3, 4, 8].includes(f.bits)) return `GPTQModel packs 2, 3, 4 or 8 bits, not ${f.bits}.`;
  const group = groupOf(recipe);
  if (group === null) return 'GPTQ groups along rows (group_size) or uses one scale per row (-1); per-tensor and per-column scales have no equivalent.';
  const warnings = commonWarnings(recipe, 'GPTQModel');
  warnings.push('GPTQ updates the remaining weights to compensate each rounding error (needs calibration text); lowbit rounds to nearest, so the GPTQ model is usually better than these numbers.');
  const sym = f.mode === 'sym' || f.mode === 'sym-full';
  if (f.mode === 'sym') warnings.push(`GPTQ's sym=True is lowbit's "sym-full" (scale 2·absmax/(2^${f.bits}−1), zero point ${1 << (f.bits - 1)}); lowbit's "sym" scales by absmax/${(1 << (f.bits - 1)) - 1}.`);
  if (f.mode === 'asym-float') warnings.push('GPTQ\'s zero point is an integer (lowbit\'s "asym"), not a float.');
  if (!sym) warnings.push('Zero-point conventions: GPTQ checkpoints in the original "gptq" format store zero − 1 (an AutoGPTQ legacy); GPTQModel converts to and from "gptq_v2" (the true zero point) on load and save.');
  const code = [
    'from gptqmodel import GPTQModel, QuantizeConfig',
    '',
    `quant_config = QuantizeConfig(bits=${f.bits}, group_size=${group}, sym=${sym ? 'True' : 'False'}, desc_act=False)`,
    `model = GPTQModel.load("${modelName(spec)}", quant_config)`,
    'model.quantize(calibration_dataset)  # a list of text samples',
    'model.save("quantized-model")',
  ].join('\n');
  return { language: 'python', code, warnings };
}

const EXPORTERS: Readonly<Record<ExportTarget, (spec: ExperimentSpec) => Body>> = {
  'llama.cpp': llamaCpp, bitsandbytes, torchao, gptqmodel: gptqModel,
};

/** Labels of the targets, as the menu shows them. */
export const EXPORT_LABELS: Readonly<Record<ExportTarget, string>> = {
  'llama.cpp': 'llama.cpp (llama-quantize)', bitsandbytes: 'bitsandbytes (BitsAndBytesConfig)', torchao: 'torchao config', gptqmodel: 'GPTQModel (QuantizeConfig)',
};

/** The spec's recipe as `target`'s command or config (pointed at the spec's model), or why there is no equivalent. */
export function exportAs(spec: ExperimentSpec, target: ExportTarget): ExportResult {
  if (replacesFormat(spec.recipe.transform)) return { target, available: false, reason: 'vector quantization (the recipe\'s VQ step) has no equivalent in other tools' };
  const body = EXPORTERS[target](spec);
  return typeof body === 'string' ? { target, available: false, reason: body } : { target, available: true, ...body };
}

// --- results as JSON and CSV ----------------------------------------------------------------------

/** What a results export reads from a run's result (the engine's TensorResult has these fields). */
export interface ResultSummary {
  readonly backend: string;
  readonly quantizedOn: string;
  readonly rows: number;
  readonly cols: number;
  readonly groupCount: number;
  readonly groupSize: number;
  /** Every error metric plus bits per weight and storage (numbers; others are skipped). */
  readonly metrics: ChecksumMetrics & object;
  readonly subject: { readonly kind: string; readonly tensor?: { readonly name: string } };
}

/** JSON has no Infinity or NaN (a lossless format's SQNR is infinite): those become the strings "Infinity", "NaN". */
const jsonNumber = (x: number): number | string => (Number.isFinite(x) ? x : String(x));

/**
 * The results document (`lowbit run --json` prints the same): the link and spec that produced
 * it, its checksum, where it ran, the tensor's shape and groups, and every metric unrounded.
 */
export function resultsDocument(spec: ExperimentSpec, result: ResultSummary, link: string) {
  const metrics = Object.fromEntries(Object.entries(result.metrics).filter(([, v]) => typeof v === 'number').map(([k, v]) => [k, jsonNumber(v as number)]));
  return {
    format: 'lowbit-results',
    version: 1,
    link,
    checksum: resultChecksum(result.metrics),
    spec,
    backend: result.backend,
    quantizedOn: result.quantizedOn,
    tensor: result.subject.tensor?.name ?? null,
    shape: [result.rows, result.cols],
    groups: { count: result.groupCount, size: result.groupSize },
    metrics,
  };
}

const csvField = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** The results document as two-column CSV (`name,value`, RFC 4180 quoting): context rows first, then each metric. */
export function resultsCsv(spec: ExperimentSpec, result: ResultSummary, link: string): string {
  const doc = resultsDocument(spec, result, link);
  const rows: [string, string][] = [
    ['link', doc.link], ['checksum', doc.checksum], ['backend', doc.backend], ['quantized_on', doc.quantizedOn],
    ['tensor', doc.tensor ?? 'synthetic'], ['rows', String(result.rows)], ['cols', String(result.cols)],
    ['groups', String(result.groupCount)], ['group_size', String(result.groupSize)],
    ...Object.entries(doc.metrics).map(([k, v]): [string, string] => [k, String(v)]),
  ];
  return `${['name,value', ...rows.map(([k, v]) => `${csvField(k)},${csvField(v)}`)].join('\r\n')}\r\n`;
}
