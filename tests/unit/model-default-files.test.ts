// tests (model layer): the shipped default model (public/models/lowbit-tiny-llama) is a complete Hugging Face Llama folder under 8 MB, and its torch reference fixtures match it.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { bytesSource } from '../../src/model/byteSource';
import { readSafetensorsDirectory, type SafetensorsDirectory } from '../../src/model/safetensors';
import { tokenizerFromHf, type Tokenizer } from '../../src/model/tokenizer';

const NAME = 'lowbit-tiny-llama';
const repoRoot = path.resolve(__dirname, '../..');
const modelDir = path.join(repoRoot, 'public/models', NAME);
const fixtureDir = path.join(repoRoot, 'tests/fixtures', NAME);
const readJson = (file: string): Record<string, unknown> => JSON.parse(readFileSync(file, 'utf8'));

/** The budget for everything the app ships for its default model. */
const MAX_BYTES = 8 * 2 ** 20;

interface LlamaConfig {
  vocab_size: number; hidden_size: number; intermediate_size: number; num_hidden_layers: number;
  num_attention_heads: number; num_key_value_heads: number; head_dim: number; bos_token_id: number; eos_token_id: number;
}

interface Reference {
  vocab_size: number;
  logits_file: string;
  prompts: { text: string; ids: number[]; shape: [number, number]; byte_offset: number; argmax: number[] }[];
  greedy: { ids: number[] };
  perplexity: { text: string; ids: number[]; token_count: number; nll_sum: number; perplexity: number };
}

/** Every tensor HF LlamaForCausalLM has for this config (tied head: no lm_head.weight), with its [out, in] shape. */
function expectedTensors(c: LlamaConfig): Map<string, number[]> {
  const q = c.num_attention_heads * c.head_dim;
  const kv = c.num_key_value_heads * c.head_dim;
  const m = new Map<string, number[]>([
    ['model.embed_tokens.weight', [c.vocab_size, c.hidden_size]],
    ['model.norm.weight', [c.hidden_size]],
  ]);
  for (let i = 0; i < c.num_hidden_layers; i++) {
    const p = `model.layers.${i}.`;
    m.set(`${p}self_attn.q_proj.weight`, [q, c.hidden_size]);
    m.set(`${p}self_attn.k_proj.weight`, [kv, c.hidden_size]);
    m.set(`${p}self_attn.v_proj.weight`, [kv, c.hidden_size]);
    m.set(`${p}self_attn.o_proj.weight`, [c.hidden_size, q]);
    m.set(`${p}mlp.gate_proj.weight`, [c.intermediate_size, c.hidden_size]);
    m.set(`${p}mlp.up_proj.weight`, [c.intermediate_size, c.hidden_size]);
    m.set(`${p}mlp.down_proj.weight`, [c.hidden_size, c.intermediate_size]);
    m.set(`${p}input_layernorm.weight`, [c.hidden_size]);
    m.set(`${p}post_attention_layernorm.weight`, [c.hidden_size]);
  }
  return m;
}

describe(`the shipped default model ${NAME}`, () => {
  const config = readJson(path.join(modelDir, 'config.json'));
  const llama = config as unknown as LlamaConfig;

  it('has every file of a Hugging Face model folder, together at most 8 MB', () => {
    const files = readdirSync(modelDir);
    expect(files).toEqual(expect.arrayContaining(['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json', 'README.md']));
    const total = files.reduce((sum, f) => sum + statSync(path.join(modelDir, f)).size, 0);
    expect(total).toBeLessThanOrEqual(MAX_BYTES);
  });

  it('has a float32 LlamaForCausalLM config with grouped-query attention and a tied head', () => {
    expect(config).toMatchObject({
      architectures: ['LlamaForCausalLM'], model_type: 'llama', torch_dtype: 'float32', tie_word_embeddings: true, hidden_act: 'silu',
    });
    for (const key of ['vocab_size', 'hidden_size', 'intermediate_size', 'num_hidden_layers', 'num_attention_heads',
      'num_key_value_heads', 'head_dim', 'max_position_embeddings', 'bos_token_id', 'eos_token_id'] as const) {
      expect(Number.isInteger(config[key]) && (config[key] as number) >= 0, key).toBe(true);
    }
    for (const key of ['rms_norm_eps', 'rope_theta'] as const) expect(config[key], key).toBeGreaterThan(0);
    expect(llama.num_key_value_heads).toBeLessThan(llama.num_attention_heads);
    expect(llama.num_attention_heads % llama.num_key_value_heads).toBe(0);
    expect(llama.bos_token_id).toBeLessThan(llama.vocab_size);
    expect(llama.eos_token_id).toBeLessThan(llama.vocab_size);
  });

  describe('model.safetensors', () => {
    let dir: SafetensorsDirectory;
    beforeAll(async () => {
      dir = await readSafetensorsDirectory(bytesSource('model.safetensors', readFileSync(path.join(modelDir, 'model.safetensors'))));
    });

    it('holds exactly the tensors the config implies, float32, with their shapes', () => {
      const expected = expectedTensors(llama);
      expect(dir.entries.map((e) => e.name).sort()).toEqual([...expected.keys()].sort());
      for (const e of dir.entries) {
        expect(e.dtype, e.name).toBe('F32');
        expect(e.shape, e.name).toEqual(expected.get(e.name));
      }
    });

    it('stores trained weights: finite, not the norms\' initial ones', () => {
      const bytes = readFileSync(path.join(modelDir, 'model.safetensors'));
      for (const e of dir.entries) {
        const values = new Float32Array(bytes.buffer.slice(bytes.byteOffset + e.byteOffset, bytes.byteOffset + e.byteOffset + e.byteLength));
        expect(values.every(Number.isFinite), e.name).toBe(true);
        expect(values.some((v) => v !== 1), `${e.name} is still all ones`).toBe(true);
      }
    });
  });

  describe('tokenizer and torch reference', () => {
    let tokenizer: Tokenizer;
    const ref = readJson(path.join(fixtureDir, 'reference.json')) as unknown as Reference;
    beforeAll(async () => {
      tokenizer = await tokenizerFromHf(readJson(path.join(modelDir, 'tokenizer.json')), readJson(path.join(modelDir, 'tokenizer_config.json')));
    });

    it('has the config\'s vocabulary and special tokens, and adds BOS like the reference', () => {
      expect(tokenizer.vocabSize).toBe(llama.vocab_size);
      expect(tokenizer.bosId).toBe(llama.bos_token_id);
      expect(tokenizer.eosId).toBe(llama.eos_token_id);
      for (const p of ref.prompts) expect(p.ids[0]).toBe(llama.bos_token_id);
    });

    it('tokenizes every reference prompt to the ids the training script produced (<= 32 tokens each)', () => {
      for (const p of ref.prompts) {
        expect(tokenizer.encode(p.text), p.text).toEqual(p.ids);
        expect(p.ids.length).toBeLessThanOrEqual(32);
        expect(tokenizer.decode(p.ids)).toBe(p.text);
      }
      expect(tokenizer.encode(ref.perplexity.text)).toEqual(ref.perplexity.ids);
    });

    it('has logits for every position of every prompt, laid out as reference.json says', () => {
      const logits = readFileSync(path.join(fixtureDir, ref.logits_file));
      let offset = 0;
      for (const p of ref.prompts) {
        expect(p.shape).toEqual([p.ids.length, ref.vocab_size]);
        expect(p.byte_offset).toBe(offset);
        offset += p.shape[0] * p.shape[1] * 4;
        // The stored argmax must be the argmax of the stored row (first position only: the rest read the same way).
        const row = new Float32Array(logits.buffer.slice(logits.byteOffset + p.byte_offset, logits.byteOffset + p.byte_offset + ref.vocab_size * 4));
        expect(row.indexOf(Math.max(...row))).toBe(p.argmax[0]);
      }
      expect(logits.length).toBe(offset);
      expect(ref.vocab_size).toBe(llama.vocab_size);
    });

    it('records a perplexity below the vocabulary size (the model learned something) from its own NLL sum', () => {
      const { nll_sum: nll, token_count: n, perplexity } = ref.perplexity;
      expect(n).toBe(ref.perplexity.ids.length - 1);
      expect(perplexity).toBeCloseTo(Math.exp(nll / n), 6);
      expect(perplexity).toBeLessThan(llama.vocab_size / 10);
    });
  });
});
