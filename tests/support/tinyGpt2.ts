// tests (support): a small GPT-2 with seeded random weights as an opened model folder: bare GPT2Model names (no `transformer.`), Conv1D [in, out] projections, fused c_attn, biases everywhere.
import { createRng, normal } from '../../src/lib/rng';
import { configFromHf, tensorName, type TensorSlot } from '../../src/model/architectures';
import { filesFolder } from '../../src/model/folder';
import { loadModel, type LoadedModel } from '../../src/model/load';
import { encodeSafetensors } from '../../src/model/safetensors';

/** hidden 32, 2 blocks of 4 heads, vocab 64, 32 positions (MLP 128). */
export const TINY_GPT2_CONFIG = { model_type: 'gpt2', vocab_size: 64, n_embd: 32, n_layer: 2, n_head: 4, n_positions: 32 };

/** The folder opened by loadModel. Projections have a few large input rows (Conv1D rows are input channels), as outlier features. */
export function loadTinyGpt2(seed = 5): Promise<LoadedModel> {
  const c = configFromHf(TINY_GPT2_CONFIG), rand = createRng(seed);
  const h = c.hidden;
  const perLayer: [TensorSlot, number[], number][] = [
    ['attnNorm', [h], 1], ['attnNormBias', [h], 0], ['ffnNorm', [h], 1], ['ffnNormBias', [h], 0],
    ['qkv', [h, 3 * h], 0], ['qkvBias', [3 * h], 0], ['o', [h, h], 0], ['oBias', [h], 0],
    ['up', [h, c.ffn], 0], ['upBias', [c.ffn], 0], ['down', [c.ffn, h], 0], ['downBias', [h], 0],
  ];
  const tensors: { name: string; shape: number[]; data: Float32Array }[] = [];
  const add = (slot: TensorSlot, layer: number, shape: number[], base: number) => {
    const cols = shape.length === 2 ? shape[1] : 1;
    const data = Float32Array.from({ length: shape.reduce((a, b) => a * b) }, (_, i) => {
      const outlierRow = shape.length === 2 && Math.floor(i / cols) % 11 === 3;
      return base + (outlierRow ? 1.5 : 0.3) * normal(rand);
    });
    tensors.push({ name: tensorName('gpt2', 'hf', slot, layer).replace(/^transformer\./, ''), shape, data });
  };
  add('embedding', 0, [c.vocabSize, h], 0);
  add('position', 0, [c.maxPositions, h], 0);
  add('finalNorm', 0, [h], 1);
  add('finalNormBias', 0, [h], 0);
  for (let layer = 0; layer < c.layers; layer++) for (const [slot, shape, base] of perLayer) add(slot, layer, shape, base);
  const bytes = encodeSafetensors(tensors.map((t) => ({ name: t.name, dtype: 'F32' as const, shape: t.shape, data: new Uint8Array(t.data.buffer) })));
  return loadModel(filesFolder('tiny-gpt2', [new File([bytes], 'model.safetensors'), new File([JSON.stringify(TINY_GPT2_CONFIG)], 'config.json')]));
}
