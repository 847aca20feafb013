// model: opens a model folder (safetensors + config.json, or one GGUF): tensor directory, config, lazy tensors and tokenizer.
import { classifyTensor, configFromGguf, configFromHf, isQuantizable, type ModelConfig, type TensorRole, weightLayout } from './architectures';
import { readTensor } from './dtypes';
import type { ModelFolder } from './folder';
import { readGgufDirectory } from './gguf';
import { readSafetensorsDirectory } from './safetensors';
import { tokenizerFromGguf, tokenizerFromHf, type Tokenizer } from './tokenizer';
import { ModelLoadError, type ByteProgressFn, type ByteSource, type TensorEntry } from './types';

/** One tensor as the inspector lists it (small and serialisable). */
export interface TensorInfo {
  readonly name: string;
  readonly dtype: TensorEntry['dtype'];
  readonly shape: readonly number[];
  readonly params: number;
  readonly bytes: number;
  readonly role: TensorRole;
  /** Transformer block index, null for embeddings, final norm and head. */
  readonly layer: number | null;
  /** A 2-D weight matrix a recipe applies to (not a norm or a bias). */
  readonly quantizable: boolean;
  /**
   * Which stored axis runs over the layer's inputs: 1 for nn.Linear [out, in], 0 for GPT-2's
   * Conv1D [in, out]; null when unknown (no config) or not a weight matrix.
   */
  readonly inputAxis: 0 | 1 | null;
}

/** What the UI shows about a model: small and serialisable (crosses the worker boundary). */
export interface ModelSummary {
  readonly name: string;
  readonly format: 'safetensors' | 'gguf';
  /** "Llama · 4 layers · hidden 128 · 4 heads (2 kv) · vocab 2048", or why the architecture is unknown. */
  readonly description: string;
  readonly config: ModelConfig | null;
  readonly tensors: readonly TensorInfo[];
  readonly totalParams: number;
  readonly totalBytes: number;
}

/** An open model: its directory, and tensors and tokenizer read when needed. */
export interface LoadedModel {
  readonly summary: ModelSummary;
  /** Decodes one tensor to f32 (reads only its bytes). */
  readTensor(name: string, signal?: AbortSignal): Promise<Float32Array>;
  /** The tokenizer, built on first use; null when the folder has none. */
  tokenizer(): Promise<Tokenizer | null>;
}

/** Options of `loadModel`: `gguf` names the GGUF file to open instead of safetensors weights. */
export interface LoadOptions {
  readonly gguf?: string;
  readonly signal?: AbortSignal;
  readonly onProgress?: ByteProgressFn;
}

/** Opens `folder`: reads config.json and the safetensors headers (or the GGUF directory), no tensor data. */
export async function loadModel(folder: ModelFolder, options: LoadOptions = {}): Promise<LoadedModel> {
  const gguf = options.gguf ?? soleGguf(folder);
  return gguf ? loadGguf(folder, gguf, options) : loadSafetensors(folder, options);
}

/** A dropped folder holding one .gguf and no safetensors is a GGUF model. */
function soleGguf(folder: ModelFolder): string | undefined {
  const files = folder.files ?? [];
  const ggufs = files.filter((f) => f.endsWith('.gguf'));
  if (ggufs.length > 1) throw new ModelLoadError('unsupported', `You dropped ${ggufs.length} GGUF files (${ggufs.join(', ')}). Drop one model at a time.`);
  return ggufs.length === 1 && !files.some((f) => f.endsWith('.safetensors')) ? ggufs[0] : undefined;
}

async function loadGguf(folder: ModelFolder, file: string, { signal, onProgress }: LoadOptions): Promise<LoadedModel> {
  const source = await folder.open(file, signal, onProgress);
  const dir = await readGgufDirectory(source, signal);
  const names = dir.entries.map((e) => e.name);
  const [config, description] = describeConfig(() => configFromGguf(dir.metadata, names));
  let tokenizer: Promise<Tokenizer | null> | null = null;
  return openedModel(folder.name, 'gguf', config, description, dir.entries, new Map([[file, source]]), () =>
    (tokenizer ??= Promise.resolve().then(() => tokenizerFromGguf(dir.metadata))));
}

async function loadSafetensors(folder: ModelFolder, { signal, onProgress }: LoadOptions): Promise<LoadedModel> {
  const configText = await folder.text('config.json', signal);
  const files = folder.weightFiles ? await folder.weightFiles(signal) : ['model.safetensors'];
  const sources = new Map<string, ByteSource>();
  const entries: TensorEntry[] = [];
  for (const file of files) {
    const source = await folder.open(file, signal, onProgress);
    sources.set(file, source);
    entries.push(...(await readSafetensorsDirectory(source, signal)).entries);
  }
  const names = entries.map((e) => e.name);
  const [config, description] = configText === null
    ? [null, 'No config.json: tensors can be inspected and quantized, but the architecture is unknown.']
    : describeConfig(() => configFromHf(parseJson(configText, 'config.json'), names));
  let tokenizer: Promise<Tokenizer | null> | null = null;
  const loadTokenizer = async () => {
    const json = await folder.text('tokenizer.json');
    if (json === null) return null;
    const cfg = await folder.text('tokenizer_config.json');
    return tokenizerFromHf(parseJson(json, 'tokenizer.json'), cfg === null ? undefined : parseJson(cfg, 'tokenizer_config.json'));
  };
  return openedModel(folder.name, 'safetensors', config, description, entries, sources, () => (tokenizer ??= loadTokenizer()));
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ModelLoadError('corrupt', `${file} is not valid JSON (${e instanceof Error ? e.message : String(e)}). The file is damaged: re-download it.`);
  }
}

/** The config, or null with the reason when the architecture is not one we run (tensors stay inspectable). */
function describeConfig(read: () => ModelConfig): [ModelConfig | null, string] {
  try {
    const c = read();
    const heads = c.kvHeads === c.heads ? `${c.heads} heads` : `${c.heads} heads (${c.kvHeads} kv)`;
    return [c, `${FAMILY_LABELS[c.family]} (${c.modelType}) · ${c.layers} layers · hidden ${c.hidden} · ${heads} · vocab ${c.vocabSize}`];
  } catch (e) {
    if (e instanceof ModelLoadError && e.code === 'unsupported') return [null, `${e.message} Its tensors can still be inspected and quantized.`];
    throw e;
  }
}

const FAMILY_LABELS: Record<ModelConfig['family'], string> = { llama: 'Llama family', gpt2: 'GPT-2', 'gpt-neox': 'GPT-NeoX' };

function openedModel(
  name: string, format: ModelSummary['format'], config: ModelConfig | null, description: string,
  entries: readonly TensorEntry[], sources: ReadonlyMap<string, ByteSource>, tokenizer: () => Promise<Tokenizer | null>,
): LoadedModel {
  const byName = new Map(entries.map((e) => [e.name, e]));
  const tensors = entries.map((e): TensorInfo => {
    const { role, layer } = classifyTensor(e.name);
    const params = e.shape.reduce((a, b) => a * b, 1);
    const quantizable = e.shape.length === 2 && isQuantizable(role);
    const inputAxis = quantizable && config ? weightLayout(config, e.name)?.inputAxis ?? null : null;
    return { name: e.name, dtype: e.dtype, shape: e.shape, params, bytes: e.byteLength, role, layer, quantizable, inputAxis };
  });
  const summary: ModelSummary = {
    name, format, description, config, tensors,
    totalParams: tensors.reduce((a, t) => a + t.params, 0),
    totalBytes: tensors.reduce((a, t) => a + t.bytes, 0),
  };
  return {
    summary,
    tokenizer,
    readTensor: (tensor, signal) => {
      const entry = byName.get(tensor);
      if (!entry) return Promise.reject(new ModelLoadError('not-found', `${name} has no tensor named "${tensor}". Pick one in the model inspector.`));
      const source = sources.get(entry.file) ?? (sources.size === 1 ? [...sources.values()][0] : undefined);
      if (!source) return Promise.reject(new ModelLoadError('corrupt', `Tensor ${tensor} points at ${entry.file}, which is not open.`));
      return readTensor(source, entry, signal);
    },
  };
}

/** The tensor a model opens at: the first block's MLP down projection (where outliers usually live), else the first matrix. */
export function defaultTensor(summary: ModelSummary): TensorInfo | null {
  const matrices = summary.tensors.filter((t) => t.quantizable);
  const first = Math.min(...matrices.map((t) => t.layer ?? Infinity));
  return matrices.find((t) => t.role === 'mlp-down' && t.layer === first) ?? matrices[0] ?? null;
}
