// tests (model layer): helpers that build ForwardModels for the forward-pass tests, from files through our loaders or from seeded random weights.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { configFromGguf, configFromHf, type ModelConfig, type TensorNaming, type TensorSlot, tensorName } from '../../src/model/architectures';
import { bytesSource } from '../../src/model/byteSource';
import { readTensor } from '../../src/model/dtypes';
import type { ForwardModel } from '../../src/model/forward/weights';
import { readGgufDirectory } from '../../src/model/gguf';
import { readSafetensorsDirectory } from '../../src/model/safetensors';
import { createRng, normal } from '../../src/lib/rng';

export const repoRoot = path.resolve(__dirname, '../..');
export const sharedFixtures = path.resolve(repoRoot, '../shared/fixtures');

/** A ForwardModel over a name -> tensor map; unknown names throw like a loader would. */
export function mapModel(config: ModelConfig, naming: TensorNaming, weights: ReadonlyMap<string, Float32Array>): ForwardModel {
  return {
    config, naming,
    weight(name) {
      const w = weights.get(name);
      if (!w) throw new Error(`no tensor ${name}`);
      return w;
    },
  };
}

/** Every tensor of a safetensors file, decoded by src/model/dtypes. */
export async function readSafetensorsFile(file: string): Promise<Map<string, Float32Array>> {
  const source = bytesSource(path.basename(file), new Uint8Array(readFileSync(file)));
  const dir = await readSafetensorsDirectory(source);
  const weights = new Map<string, Float32Array>();
  for (const e of dir.entries) weights.set(e.name, await readTensor(source, e));
  return weights;
}

/** A Hugging Face model from a parsed config.json and its safetensors file. */
export async function loadHfModel(config: unknown, safetensorsFile: string): Promise<ForwardModel> {
  const weights = await readSafetensorsFile(safetensorsFile);
  return mapModel(configFromHf(config, [...weights.keys()]), 'hf', weights);
}

/** A GGUF model (directory, tensors and config) read through src/model/gguf and src/model/dtypes. */
export async function loadGgufModel(file: string): Promise<{ model: ForwardModel; metadata: Record<string, unknown> }> {
  const source = bytesSource(path.basename(file), new Uint8Array(readFileSync(file)));
  const dir = await readGgufDirectory(source);
  const weights = new Map<string, Float32Array>();
  for (const e of dir.entries) weights.set(e.name, await readTensor(source, e));
  const config = configFromGguf(dir.metadata, dir.entries.map((e) => e.name));
  return { model: mapModel(config, 'gguf', weights), metadata: dir.metadata };
}

/** A small Llama-family config; override any field. */
export function tinyLlamaConfig(overrides: Partial<ModelConfig> = {}): ModelConfig {
  return {
    family: 'llama', modelType: 'llama', vocabSize: 11, hidden: 8, layers: 2, heads: 4, kvHeads: 2, headDim: 2, ffn: 12,
    normEps: 1e-5, norm: 'rms', activation: 'silu-gated', positions: 'rope', ropeTheta: 10000, ropeStyle: 'half',
    rotaryDim: 2, maxPositions: 32, tiedHead: false, qkvBias: false, parallelResidual: false, bosId: 1, eosId: 2,
    ...overrides,
  };
}

/** Sizes of every Llama-family HF tensor for a config (the slots the forward pass reads). */
function llamaShapes(c: ModelConfig): [TensorSlot, number, boolean][] {
  const q = c.heads * c.headDim, kv = c.kvHeads * c.headDim;
  return [
    ['attnNorm', c.hidden, true], ['ffnNorm', c.hidden, true], ['q', q * c.hidden, true], ['k', kv * c.hidden, true],
    ['v', kv * c.hidden, true], ['o', c.hidden * q, true], ['gate', c.ffn * c.hidden, true], ['up', c.ffn * c.hidden, true],
    ['down', c.hidden * c.ffn, true],
    ...(c.qkvBias ? ([['qBias', q, true], ['kBias', kv, true], ['vBias', kv, true]] as [TensorSlot, number, boolean][]) : []),
    ['embedding', c.vocabSize * c.hidden, false], ['finalNorm', c.hidden, false],
    ...(c.tiedHead ? [] : ([['head', c.vocabSize * c.hidden, false]] as [TensorSlot, number, boolean][])),
  ];
}

/** Seeded random weights (std 0.5, norms around 1) for a Llama-family config in HF naming. */
export function randomLlamaWeights(c: ModelConfig, seed: number): Map<string, Float32Array> {
  const rand = createRng(seed);
  const weights = new Map<string, Float32Array>();
  for (const [slot, size, perLayer] of llamaShapes(c)) {
    for (let layer = 0; layer < (perLayer ? c.layers : 1); layer++) {
      const isNorm = slot === 'attnNorm' || slot === 'ffnNorm' || slot === 'finalNorm';
      weights.set(tensorName('llama', 'hf', slot, layer), Float32Array.from({ length: size }, () => (isNorm ? 1 : 0) + 0.5 * normal(rand)));
    }
  }
  return weights;
}
