// tests (model layer): architectures from config.json and GGUF metadata, tensor-name classification, weight layouts.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  classifyTensor, configFromGguf, configFromHf, isQuantizable, type TensorRole, tensorName, weightLayout,
} from '../../src/model/architectures';
import { ModelLoadError } from '../../src/model/types';
import { sharedFixtures } from './forward-models';

/** Shaped like HuggingFaceTB/SmolLM2-135M's config.json (model_type llama, GQA 9/3, tied). */
const SMOLLM2 = {
  architectures: ['LlamaForCausalLM'], model_type: 'llama', hidden_size: 576, intermediate_size: 1536, num_hidden_layers: 30,
  num_attention_heads: 9, num_key_value_heads: 3, rms_norm_eps: 1e-5, rope_theta: 100000, max_position_embeddings: 8192,
  vocab_size: 49152, tie_word_embeddings: true, hidden_act: 'silu', bos_token_id: 0, eos_token_id: 0, rope_scaling: null,
};
/** Shaped like Qwen/Qwen2-0.5B's config.json. */
const QWEN2 = {
  model_type: 'qwen2', hidden_size: 896, intermediate_size: 4864, num_hidden_layers: 24, num_attention_heads: 14,
  num_key_value_heads: 2, rms_norm_eps: 1e-6, rope_theta: 1000000, max_position_embeddings: 131072, vocab_size: 151936,
  tie_word_embeddings: true, hidden_act: 'silu', bos_token_id: 151643, eos_token_id: 151643, sliding_window: 131072, use_sliding_window: false,
};
/** Shaped like EleutherAI/pythia-70m's config.json. */
const PYTHIA = {
  model_type: 'gpt_neox', hidden_size: 512, intermediate_size: 2048, num_hidden_layers: 6, num_attention_heads: 8,
  rotary_pct: 0.25, rotary_emb_base: 10000, max_position_embeddings: 2048, vocab_size: 50304, layer_norm_eps: 1e-5,
  use_parallel_residual: true, hidden_act: 'gelu', tie_word_embeddings: false, bos_token_id: 0, eos_token_id: 0,
};
/** Shaped like openai-community/gpt2's config.json. */
const GPT2 = {
  model_type: 'gpt2', n_embd: 768, n_layer: 12, n_head: 12, n_positions: 1024, vocab_size: 50257,
  layer_norm_epsilon: 1e-5, activation_function: 'gelu_new', bos_token_id: 50256, eos_token_id: 50256,
};

function loadError(f: () => unknown): ModelLoadError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ModelLoadError);
    return e as ModelLoadError;
  }
  throw new Error('expected a ModelLoadError');
}

describe('configFromHf', () => {
  it('reads SmolLM2 as a tied GQA llama with rotate_half RoPE', () => {
    expect(configFromHf(SMOLLM2)).toEqual({
      family: 'llama', modelType: 'llama', vocabSize: 49152, hidden: 576, layers: 30, heads: 9, kvHeads: 3, headDim: 64, ffn: 1536,
      normEps: 1e-5, norm: 'rms', activation: 'silu-gated', positions: 'rope', ropeTheta: 100000, ropeStyle: 'half', rotaryDim: 64,
      maxPositions: 8192, tiedHead: true, qkvBias: false, parallelResidual: false, bosId: 0, eosId: 0,
    });
  });
  it('Qwen2 has q/k/v biases; tensor names override the config on biases and on the tied head', () => {
    expect(configFromHf(QWEN2)).toMatchObject({ family: 'llama', modelType: 'qwen2', qkvBias: true, tiedHead: true, kvHeads: 2, headDim: 64 });
    const names = ['model.embed_tokens.weight', 'lm_head.weight', 'model.layers.0.self_attn.q_proj.weight'];
    expect(configFromHf(QWEN2, names)).toMatchObject({ qkvBias: false, tiedHead: false });
    expect(configFromHf({ ...SMOLLM2, tie_word_embeddings: false }, ['model.embed_tokens.weight'])).toMatchObject({ tiedHead: true });
  });
  it('TinyLlama-like llama defaults: untied, head_dim hidden / heads, an explicit head_dim wins', () => {
    const tiny = { model_type: 'llama', hidden_size: 2048, intermediate_size: 5632, num_hidden_layers: 22, num_attention_heads: 32, num_key_value_heads: 4, vocab_size: 32000 };
    expect(configFromHf(tiny)).toMatchObject({ headDim: 64, tiedHead: false, kvHeads: 4, ropeTheta: 10000, maxPositions: 2048, bosId: null });
    expect(configFromHf({ ...tiny, head_dim: 128 })).toMatchObject({ headDim: 128, rotaryDim: 128 });
  });
  it('Mistral: the context is capped at the sliding window', () => {
    const mistral = { ...SMOLLM2, model_type: 'mistral', max_position_embeddings: 32768, sliding_window: 4096 };
    expect(configFromHf(mistral)).toMatchObject({ family: 'llama', modelType: 'mistral', maxPositions: 4096 });
  });
  it('GPT-2: learned positions, LayerNorm, gelu_new, tied, ffn 4 * n_embd', () => {
    expect(configFromHf(GPT2)).toEqual({
      family: 'gpt2', modelType: 'gpt2', vocabSize: 50257, hidden: 768, layers: 12, heads: 12, kvHeads: 12, headDim: 64, ffn: 3072,
      normEps: 1e-5, norm: 'layer', activation: 'gelu-tanh', positions: 'learned', ropeTheta: 0, ropeStyle: 'half', rotaryDim: 0,
      maxPositions: 1024, tiedHead: true, qkvBias: true, parallelResidual: false, bosId: 50256, eosId: 50256,
    });
  });
  it('Pythia: partial rotary (0.25 of 64 = 16), parallel residual, exact GELU, untied', () => {
    expect(configFromHf(PYTHIA)).toMatchObject({
      family: 'gpt-neox', modelType: 'gpt_neox', headDim: 64, rotaryDim: 16, ropeStyle: 'half', parallelResidual: true,
      activation: 'gelu', norm: 'layer', tiedHead: false, ffn: 2048, ropeTheta: 10000,
    });
  });
  const gpt2Dir = path.join(sharedFixtures, 'fake-gpt2-random');
  it.skipIf(!existsSync(gpt2Dir))('reads the fake-gpt2-random fixture config', () => {
    const config = JSON.parse(readFileSync(path.join(gpt2Dir, 'config.json'), 'utf8'));
    expect(configFromHf(config)).toMatchObject({ family: 'gpt2', hidden: 2, layers: 1, heads: 1, headDim: 2, ffn: 8, vocabSize: 50257 });
  });
  it('refuses unknown model types, listing the supported ones', () => {
    const e = loadError(() => configFromHf({ ...SMOLLM2, model_type: 'gemma2' }));
    expect(e.code).toBe('unsupported');
    expect(e.message).toMatch(/model type 'gemma2' is not supported\. Supported types: llama, mistral, qwen2, gpt2, gpt_neox/);
    expect(loadError(() => configFromHf({})).message).toMatch(/'\(missing\)'/);
    expect(loadError(() => configFromHf([1])).code).toBe('corrupt');
  });
  it('refuses options the forward pass does not implement', () => {
    expect(loadError(() => configFromHf({ ...SMOLLM2, rope_scaling: { rope_type: 'llama3', factor: 32 } })).message).toMatch(/rope_scaling/);
    expect(loadError(() => configFromHf({ ...SMOLLM2, hidden_act: 'gelu' })).message).toMatch(/hidden_act 'gelu'/);
    expect(loadError(() => configFromHf({ ...GPT2, activation_function: 'relu' })).code).toBe('unsupported');
  });
  it('validates numbers with messages that name the field', () => {
    expect(loadError(() => configFromHf({ ...SMOLLM2, hidden_size: -5 })).message).toMatch(/'hidden_size' should be a positive integer, but it is -5/);
    expect(loadError(() => configFromHf({ ...SMOLLM2, num_hidden_layers: 2.5 })).message).toMatch(/'num_hidden_layers' should be a positive integer/);
    expect(loadError(() => configFromHf({ ...SMOLLM2, vocab_size: undefined })).message).toMatch(/has no 'vocab_size'/);
    expect(loadError(() => configFromHf({ ...SMOLLM2, hidden_size: 577 })).message).toMatch(/hidden size 577 is not divisible by the 9 heads/);
    expect(loadError(() => configFromHf({ ...SMOLLM2, num_key_value_heads: 2 })).message).toMatch(/9 query heads cannot be shared evenly by 2/);
    expect(loadError(() => configFromHf({ ...SMOLLM2, bos_token_id: 60000 })).message).toMatch(/BOS token id 60000 is outside the 49152-token vocabulary/);
    expect(loadError(() => configFromHf({ ...PYTHIA, rotary_pct: 1.5 })).message).toMatch(/rotary_pct 1\.5 must be at most 1/);
    expect(loadError(() => configFromHf({ ...SMOLLM2, rms_norm_eps: 'small' })).message).toMatch(/'rms_norm_eps' should be a positive number/);
  });
  it('takes the first of a list of EOS ids (Llama 3 style)', () => {
    expect(configFromHf({ ...SMOLLM2, eos_token_id: [2, 7] }).eosId).toBe(2);
  });
});

/** llama.cpp metadata keys of a small llama GGUF. */
const LLAMA_GGUF: Record<string, unknown> = {
  'general.architecture': 'llama', 'llama.embedding_length': 64, 'llama.block_count': 5, 'llama.attention.head_count': 8,
  'llama.attention.head_count_kv': 4, 'llama.feed_forward_length': 172, 'llama.attention.layer_norm_rms_epsilon': 1e-5,
  'llama.rope.freq_base': 10000, 'llama.context_length': 512, 'tokenizer.ggml.tokens': Array.from({ length: 512 }, (_, i) => `t${i}`),
  'tokenizer.ggml.bos_token_id': 1, 'tokenizer.ggml.eos_token_id': 2,
};

describe('configFromGguf', () => {
  it('llama: interleaved RoPE, vocabulary from the token list, head tied only when output.weight is absent', () => {
    expect(configFromGguf(LLAMA_GGUF, ['token_embd.weight', 'output.weight'])).toEqual({
      family: 'llama', modelType: 'llama', vocabSize: 512, hidden: 64, layers: 5, heads: 8, kvHeads: 4, headDim: 8, ffn: 172,
      normEps: 1e-5, norm: 'rms', activation: 'silu-gated', positions: 'rope', ropeTheta: 10000, ropeStyle: 'interleaved', rotaryDim: 8,
      maxPositions: 512, tiedHead: false, qkvBias: false, parallelResidual: false, bosId: 1, eosId: 2,
    });
    expect(configFromGguf(LLAMA_GGUF, ['token_embd.weight']).tiedHead).toBe(true);
  });
  it('qwen2: rotate-half (NEOX) RoPE and q/k/v biases when present', () => {
    const qwen = Object.fromEntries(Object.entries(LLAMA_GGUF).map(([k, v]) => [k.replace(/^llama\./, 'qwen2.'), v]));
    qwen['general.architecture'] = 'qwen2';
    expect(configFromGguf(qwen, ['token_embd.weight', 'blk.0.attn_q.bias'])).toMatchObject({ modelType: 'qwen2', ropeStyle: 'half', qkvBias: true, tiedHead: true });
  });
  it('gpt2: learned positions and LayerNorm', () => {
    const meta = {
      'general.architecture': 'gpt2', 'gpt2.embedding_length': 768, 'gpt2.block_count': 12, 'gpt2.attention.head_count': 12,
      'gpt2.feed_forward_length': 3072, 'gpt2.attention.layer_norm_epsilon': 1e-5, 'gpt2.context_length': 1024,
      'tokenizer.ggml.tokens': new Array(50257).fill('x'),
    };
    expect(configFromGguf(meta, ['token_embd.weight', 'position_embd.weight', 'output.weight'])).toMatchObject({
      family: 'gpt2', positions: 'learned', norm: 'layer', headDim: 64, maxPositions: 1024, vocabSize: 50257, tiedHead: false,
    });
  });
  it('refuses other architectures and says which it knows; validates keys', () => {
    const e = loadError(() => configFromGguf({ ...LLAMA_GGUF, 'general.architecture': 'phi3' }));
    expect(e.code).toBe('unsupported');
    expect(e.message).toMatch(/architecture 'phi3' is not supported\. Supported GGUF architectures: llama, qwen2, gpt2/);
    expect(loadError(() => configFromGguf({ ...LLAMA_GGUF, 'llama.block_count': 0 })).message).toMatch(/'llama\.block_count' should be a positive integer/);
    expect(loadError(() => configFromGguf({ ...LLAMA_GGUF, 'tokenizer.ggml.tokens': undefined })).message).toMatch(/neither a vocabulary/);
  });
});

describe('classifyTensor', () => {
  const cases: [string, TensorRole, number | null][] = [
    // Llama family (HF)
    ['model.embed_tokens.weight', 'embedding', null],
    ['model.layers.3.self_attn.q_proj.weight', 'attn-q', 3],
    ['model.layers.3.self_attn.k_proj.weight', 'attn-k', 3],
    ['model.layers.12.self_attn.v_proj.weight', 'attn-v', 12],
    ['model.layers.0.self_attn.q_proj.bias', 'bias', 0],
    ['model.layers.0.self_attn.o_proj.weight', 'attn-o', 0],
    ['model.layers.7.mlp.gate_proj.weight', 'mlp-gate', 7],
    ['model.layers.7.mlp.up_proj.weight', 'mlp-up', 7],
    ['model.layers.7.mlp.down_proj.weight', 'mlp-down', 7],
    ['model.layers.7.input_layernorm.weight', 'norm', 7],
    ['model.layers.7.post_attention_layernorm.weight', 'norm', 7],
    ['model.norm.weight', 'norm', null],
    ['lm_head.weight', 'head', null],
    ['model.layers.2.self_attn.rotary_emb.inv_freq', 'other', 2],
    // GPT-2 (HF), with and without the transformer. prefix
    ['transformer.wte.weight', 'embedding', null],
    ['wpe.weight', 'position', null],
    ['transformer.h.4.attn.c_attn.weight', 'attn-qkv', 4],
    ['h.4.attn.c_attn.bias', 'bias', 4],
    ['transformer.h.4.attn.c_proj.weight', 'attn-o', 4],
    ['transformer.h.4.mlp.c_fc.weight', 'mlp-up', 4],
    ['transformer.h.4.mlp.c_proj.weight', 'mlp-down', 4],
    ['transformer.h.4.ln_1.weight', 'norm', 4],
    ['transformer.h.4.ln_2.bias', 'bias', 4],
    ['transformer.ln_f.weight', 'norm', null],
    ['transformer.h.4.attn.bias', 'other', 4], // the causal-mask buffer of old checkpoints, not a parameter
    ['h.0.attn.masked_bias', 'other', 0],
    // GPT-NeoX (HF)
    ['gpt_neox.embed_in.weight', 'embedding', null],
    ['gpt_neox.layers.5.attention.query_key_value.weight', 'attn-qkv', 5],
    ['gpt_neox.layers.5.attention.dense.weight', 'attn-o', 5],
    ['gpt_neox.layers.5.mlp.dense_h_to_4h.weight', 'mlp-up', 5],
    ['gpt_neox.layers.5.mlp.dense_4h_to_h.weight', 'mlp-down', 5],
    ['gpt_neox.layers.5.input_layernorm.bias', 'bias', 5],
    ['gpt_neox.final_layer_norm.weight', 'norm', null],
    ['embed_out.weight', 'head', null],
    // GGUF
    ['token_embd.weight', 'embedding', null],
    ['position_embd.weight', 'position', null],
    ['blk.10.attn_q.weight', 'attn-q', 10],
    ['blk.10.attn_k.weight', 'attn-k', 10],
    ['blk.10.attn_v.weight', 'attn-v', 10],
    ['blk.10.attn_qkv.weight', 'attn-qkv', 10],
    ['blk.10.attn_output.weight', 'attn-o', 10],
    ['blk.10.ffn_gate.weight', 'mlp-gate', 10],
    ['blk.10.ffn_up.weight', 'mlp-up', 10],
    ['blk.10.ffn_down.weight', 'mlp-down', 10],
    ['blk.10.attn_norm.weight', 'norm', 10],
    ['blk.10.ffn_norm.weight', 'norm', 10],
    ['blk.10.attn_q.bias', 'bias', 10],
    ['output_norm.weight', 'norm', null],
    ['output.weight', 'head', null],
    ['rope_freqs.weight', 'other', null],
  ];
  it.each(cases)('%s -> %s (layer %s)', (name, role, layer) => {
    expect(classifyTensor(name)).toEqual({ role, layer });
  });
  it('every name the forward pass asks for classifies back to its role', () => {
    expect(classifyTensor(tensorName('llama', 'gguf', 'gate', 3))).toEqual({ role: 'mlp-gate', layer: 3 });
    expect(classifyTensor(tensorName('gpt-neox', 'hf', 'qkv', 1))).toEqual({ role: 'attn-qkv', layer: 1 });
    expect(() => tensorName('gpt2', 'hf', 'gate', 0)).toThrow(/no 'gate' tensor/);
  });
});

describe('isQuantizable and weightLayout', () => {
  it('matrices yes; norms, biases, position tables and unknown tensors no', () => {
    for (const role of ['embedding', 'head', 'attn-q', 'attn-k', 'attn-v', 'attn-qkv', 'attn-o', 'mlp-up', 'mlp-gate', 'mlp-down'] as const) {
      expect(isQuantizable(role)).toBe(true);
    }
    for (const role of ['norm', 'bias', 'position', 'other'] as const) expect(isQuantizable(role)).toBe(false);
  });
  it('HF GPT-2 projections are Conv1D [in, out]; its embedding, GGUF GPT-2 and Llama are [out, in]', () => {
    const gpt2 = configFromHf(GPT2), llama = configFromHf(SMOLLM2);
    expect(weightLayout(gpt2, 'transformer.h.0.attn.c_attn.weight')).toEqual({ inputAxis: 0, kind: 'conv1d' });
    expect(weightLayout(gpt2, 'h.0.mlp.c_proj.weight')).toEqual({ inputAxis: 0, kind: 'conv1d' });
    expect(weightLayout(gpt2, 'transformer.wte.weight')).toEqual({ inputAxis: 1, kind: 'linear' });
    expect(weightLayout(gpt2, 'blk.0.attn_qkv.weight')).toEqual({ inputAxis: 1, kind: 'linear' });
    expect(weightLayout(llama, 'model.layers.0.mlp.down_proj.weight')).toEqual({ inputAxis: 1, kind: 'linear' });
    expect(weightLayout(llama, 'model.layers.0.input_layernorm.weight')).toBeNull();
    expect(weightLayout(gpt2, 'transformer.h.0.attn.c_attn.bias')).toBeNull();
  });
});
