# scripts: independent numpy (float64) reference logits for the forward-pass tests, written the way Hugging Face's
# modeling_gpt2 / modeling_qwen2 / modeling_gpt_neox compute them (whole sequence at once, causal mask, rotate_half RoPE).
#
# Writes:
#   tests/fixtures/fake-gpt2/reference.json      logits of ../shared/fixtures/fake-gpt2-random for a few tokens
#   tests/fixtures/tiny-random/qwen2.safetensors  + qwen2.json    a seeded random Qwen2-style Llama (GQA, q/k/v biases, untied head)
#   tests/fixtures/tiny-random/neox.safetensors   + neox.json     a seeded random GPT-NeoX (partial rotary), parallel and sequential residual
# Run from the repository root: python3 scripts/forward-reference.py  (needs numpy only)
import json
import math
import os
import struct

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, '..', 'shared', 'fixtures')


def read_safetensors(path):
    with open(path, 'rb') as f:
        data = f.read()
    n = struct.unpack('<Q', data[:8])[0]
    header = json.loads(data[8:8 + n])
    out = {}
    for name, info in header.items():
        if name == '__metadata__':
            continue
        assert info['dtype'] == 'F32'
        a, b = info['data_offsets']
        out[name] = np.frombuffer(data[8 + n + a:8 + n + b], dtype='<f4').reshape(info['shape']).astype(np.float64)
    return out


def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, arr in tensors.items():
        raw = np.ascontiguousarray(arr, dtype='<f4').tobytes()
        header[name] = {'dtype': 'F32', 'shape': list(arr.shape), 'data_offsets': [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(',', ':')).encode()
    text += b' ' * (-len(text) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text)) + text + b''.join(blobs))


def layer_norm(x, w, b, eps):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * w + b


def rms_norm(x, w, eps):
    return x / np.sqrt((x * x).mean(-1, keepdims=True) + eps) * w


def causal_attention(q, k, v):
    """q [heads, T, d], k/v [heads, T, d] -> [T, heads * d]."""
    d = q.shape[-1]
    scores = q @ k.transpose(0, 2, 1) / math.sqrt(d)
    t = q.shape[1]
    scores = np.where(np.tril(np.ones((t, t), dtype=bool)), scores, -np.inf)
    scores = scores - scores.max(-1, keepdims=True)
    p = np.exp(scores)
    p /= p.sum(-1, keepdims=True)
    return (p @ v).transpose(1, 0, 2).reshape(t, -1)


def rotate_half(x):
    half = x.shape[-1] // 2
    return np.concatenate([-x[..., half:], x[..., :half]], -1)


def rope_half(x, theta, dim):
    """HF rotary: x [heads, T, headDim]; rotates the first `dim` features with rotate_half."""
    t = x.shape[1]
    inv_freq = 1.0 / theta ** (np.arange(0, dim, 2) / dim)
    freqs = np.outer(np.arange(t), inv_freq)
    emb = np.concatenate([freqs, freqs], -1)
    rot, rest = x[..., :dim], x[..., dim:]
    rot = rot * np.cos(emb) + rotate_half(rot) * np.sin(emb)
    return np.concatenate([rot, rest], -1)


def gelu_tanh(x):
    return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))


def gelu_erf(x):
    return 0.5 * x * (1 + np.vectorize(math.erf)(x / math.sqrt(2)))


def heads_of(x, heads):
    """[T, heads * d] -> [heads, T, d]."""
    t = x.shape[0]
    return x.reshape(t, heads, -1).transpose(1, 0, 2)


def gpt2_logits(w, cfg, tokens):
    hidden, heads, eps = cfg['n_embd'], cfg['n_head'], cfg['layer_norm_epsilon']
    x = w['transformer.wte.weight'][tokens] + w['transformer.wpe.weight'][np.arange(len(tokens))]
    for i in range(cfg['n_layer']):
        p = f'transformer.h.{i}.'
        h = layer_norm(x, w[p + 'ln_1.weight'], w[p + 'ln_1.bias'], eps)
        qkv = h @ w[p + 'attn.c_attn.weight'] + w[p + 'attn.c_attn.bias']  # Conv1D: x @ W[in, out]
        q, k, v = (heads_of(qkv[:, j * hidden:(j + 1) * hidden], heads) for j in range(3))
        x = x + causal_attention(q, k, v) @ w[p + 'attn.c_proj.weight'] + w[p + 'attn.c_proj.bias']
        h = layer_norm(x, w[p + 'ln_2.weight'], w[p + 'ln_2.bias'], eps)
        m = gelu_tanh(h @ w[p + 'mlp.c_fc.weight'] + w[p + 'mlp.c_fc.bias'])
        x = x + m @ w[p + 'mlp.c_proj.weight'] + w[p + 'mlp.c_proj.bias']
    x = layer_norm(x, w['transformer.ln_f.weight'], w['transformer.ln_f.bias'], eps)
    return x, x @ w['transformer.wte.weight'].T


def qwen2_logits(w, cfg, tokens):
    heads, kv, eps = cfg['num_attention_heads'], cfg['num_key_value_heads'], cfg['rms_norm_eps']
    d = cfg['hidden_size'] // heads
    x = w['model.embed_tokens.weight'][tokens]
    for i in range(cfg['num_hidden_layers']):
        p = f'model.layers.{i}.'
        h = rms_norm(x, w[p + 'input_layernorm.weight'], eps)
        lin = lambda n: h @ w[p + f'self_attn.{n}_proj.weight'].T + w[p + f'self_attn.{n}_proj.bias']  # noqa: E731
        q = rope_half(heads_of(lin('q'), heads), cfg['rope_theta'], d)
        k = rope_half(heads_of(lin('k'), kv), cfg['rope_theta'], d)
        v = heads_of(lin('v'), kv)
        rep = heads // kv  # repeat_kv: each kv head serves `rep` consecutive query heads
        k, v = np.repeat(k, rep, axis=0), np.repeat(v, rep, axis=0)
        x = x + causal_attention(q, k, v) @ w[p + 'self_attn.o_proj.weight'].T
        h = rms_norm(x, w[p + 'post_attention_layernorm.weight'], eps)
        gate, up = h @ w[p + 'mlp.gate_proj.weight'].T, h @ w[p + 'mlp.up_proj.weight'].T
        x = x + (gate / (1 + np.exp(-gate)) * up) @ w[p + 'mlp.down_proj.weight'].T
    x = rms_norm(x, w['model.norm.weight'], eps)
    return x @ w['lm_head.weight'].T


def neox_logits(w, cfg, tokens, parallel):
    heads, eps = cfg['num_attention_heads'], cfg['layer_norm_eps']
    d = cfg['hidden_size'] // heads
    rot = int(d * cfg['rotary_pct'])
    x = w['gpt_neox.embed_in.weight'][tokens]
    t = len(tokens)
    for i in range(cfg['num_hidden_layers']):
        p = f'gpt_neox.layers.{i}.'
        h = layer_norm(x, w[p + 'input_layernorm.weight'], w[p + 'input_layernorm.bias'], eps)
        qkv = (h @ w[p + 'attention.query_key_value.weight'].T + w[p + 'attention.query_key_value.bias'])
        qkv = qkv.reshape(t, heads, 3 * d).transpose(1, 0, 2)  # [heads, T, 3d]: per head q | k | v
        q, k, v = qkv[..., :d], qkv[..., d:2 * d], qkv[..., 2 * d:]
        q, k = rope_half(q, cfg['rotary_emb_base'], rot), rope_half(k, cfg['rotary_emb_base'], rot)
        a = causal_attention(q, k, v) @ w[p + 'attention.dense.weight'].T + w[p + 'attention.dense.bias']

        def mlp(y):
            y = layer_norm(y, w[p + 'post_attention_layernorm.weight'], w[p + 'post_attention_layernorm.bias'], eps)
            y = gelu_erf(y @ w[p + 'mlp.dense_h_to_4h.weight'].T + w[p + 'mlp.dense_h_to_4h.bias'])
            return y @ w[p + 'mlp.dense_4h_to_h.weight'].T + w[p + 'mlp.dense_4h_to_h.bias']
        x = x + a + mlp(x) if parallel else (x + a) + mlp(x + a)
    x = layer_norm(x, w['gpt_neox.final_layer_norm.weight'], w['gpt_neox.final_layer_norm.bias'], eps)
    return x @ w['embed_out.weight'].T


def rounded(a):
    return [float(v) for v in np.asarray(a, dtype=np.float64).ravel()]


def f32_random(rng, shape, scale):
    return (rng.standard_normal(shape) * scale).astype(np.float32).astype(np.float64)


def as_f32(w):
    """The weights exactly as the safetensors file stores them (1 + noise is not an f32 until rounded)."""
    return {k: a.astype(np.float32).astype(np.float64) for k, a in w.items()}


def fake_gpt2():
    src = os.path.join(FIXTURES, 'fake-gpt2-random')
    with open(os.path.join(src, 'config.json')) as f:
        cfg = json.load(f)
    w = read_safetensors(os.path.join(src, 'model.safetensors'))
    tokens = [464, 2068, 7586, 21831]  # GPT-2 BPE of "The quick brown fox"
    final, logits = gpt2_logits(w, cfg, tokens)
    ids = sorted(set(range(8)) | {50256, 1000, 31337} | {int(i) for i in logits.argmax(-1)} | {int(i) for i in logits.argmin(-1)})
    lse = [float(np.log(np.exp(row - row.max()).sum()) + row.max()) for row in logits]
    out = {
        'source': 'scripts/forward-reference.py over ../shared/fixtures/fake-gpt2-random (float64 numpy, HF modeling_gpt2 semantics)',
        'tokens': tokens, 'ids': ids,
        'finalHidden': [rounded(r) for r in final],
        'logitsAtIds': [rounded(r[ids]) for r in logits],
        'logSumExp': lse,
        'argmax': [int(i) for i in logits.argmax(-1)],
    }
    os.makedirs(os.path.join(ROOT, 'tests/fixtures/fake-gpt2'), exist_ok=True)
    with open(os.path.join(ROOT, 'tests/fixtures/fake-gpt2/reference.json'), 'w') as f:
        json.dump(out, f, indent=1)


def tiny_qwen2(rng):
    cfg = {'model_type': 'qwen2', 'vocab_size': 32, 'hidden_size': 16, 'num_hidden_layers': 2, 'num_attention_heads': 4,
           'num_key_value_heads': 2, 'intermediate_size': 24, 'rms_norm_eps': 1e-6, 'rope_theta': 10000.0,
           'max_position_embeddings': 64, 'tie_word_embeddings': False, 'hidden_act': 'silu'}
    h, f, v, kvd = 16, 24, 32, 8
    w = {'model.embed_tokens.weight': f32_random(rng, (v, h), 1.0), 'model.norm.weight': 1 + f32_random(rng, (h,), 0.1),
         'lm_head.weight': f32_random(rng, (v, h), 0.3)}
    for i in range(cfg['num_hidden_layers']):
        p = f'model.layers.{i}.'
        w[p + 'input_layernorm.weight'] = 1 + f32_random(rng, (h,), 0.1)
        w[p + 'post_attention_layernorm.weight'] = 1 + f32_random(rng, (h,), 0.1)
        for n, out in (('q', h), ('k', kvd), ('v', kvd)):
            w[p + f'self_attn.{n}_proj.weight'] = f32_random(rng, (out, h), 0.4)
            w[p + f'self_attn.{n}_proj.bias'] = f32_random(rng, (out,), 0.2)
        w[p + 'self_attn.o_proj.weight'] = f32_random(rng, (h, h), 0.3)
        w[p + 'mlp.gate_proj.weight'] = f32_random(rng, (f, h), 0.3)
        w[p + 'mlp.up_proj.weight'] = f32_random(rng, (f, h), 0.3)
        w[p + 'mlp.down_proj.weight'] = f32_random(rng, (h, f), 0.3)
    w = as_f32(w)
    tokens = [int(t) for t in rng.integers(0, v, 7)]
    return cfg, w, tokens, {'logits': rounded(qwen2_logits(w, cfg, tokens))}


def tiny_neox(rng):
    cfg = {'model_type': 'gpt_neox', 'vocab_size': 32, 'hidden_size': 16, 'num_hidden_layers': 2, 'num_attention_heads': 4,
           'intermediate_size': 32, 'layer_norm_eps': 1e-5, 'rotary_pct': 0.5, 'rotary_emb_base': 10000,
           'max_position_embeddings': 64, 'use_parallel_residual': True, 'hidden_act': 'gelu', 'tie_word_embeddings': False}
    h, f, v = 16, 32, 32
    w = {'gpt_neox.embed_in.weight': f32_random(rng, (v, h), 1.0), 'embed_out.weight': f32_random(rng, (v, h), 0.3),
         'gpt_neox.final_layer_norm.weight': 1 + f32_random(rng, (h,), 0.1), 'gpt_neox.final_layer_norm.bias': f32_random(rng, (h,), 0.1)}
    for i in range(cfg['num_hidden_layers']):
        p = f'gpt_neox.layers.{i}.'
        for n in ('input_layernorm', 'post_attention_layernorm'):
            w[p + n + '.weight'] = 1 + f32_random(rng, (h,), 0.1)
            w[p + n + '.bias'] = f32_random(rng, (h,), 0.1)
        for n, shape in (('attention.query_key_value', (3 * h, h)), ('attention.dense', (h, h)),
                         ('mlp.dense_h_to_4h', (f, h)), ('mlp.dense_4h_to_h', (h, f))):
            w[p + n + '.weight'] = f32_random(rng, shape, 0.4)
            w[p + n + '.bias'] = f32_random(rng, (shape[0],), 0.2)
    w = as_f32(w)
    tokens = [int(t) for t in rng.integers(0, v, 7)]
    return cfg, w, tokens, {
        'logitsParallel': rounded(neox_logits(w, cfg, tokens, True)),
        'logitsSequential': rounded(neox_logits(w, cfg, tokens, False)),
    }


def tiny_random():
    folder = os.path.join(ROOT, 'tests/fixtures/tiny-random')
    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(20240611)
    for name, build in (('qwen2', tiny_qwen2), ('neox', tiny_neox)):
        cfg, w, tokens, logits = build(rng)
        write_safetensors(os.path.join(folder, f'{name}.safetensors'), w)
        with open(os.path.join(folder, f'{name}.json'), 'w') as f:
            json.dump({'source': 'scripts/forward-reference.py (seeded numpy weights, float64 HF-style forward)',
                       'config': cfg, 'tokens': tokens, **logits}, f)


if __name__ == '__main__':
    fake_gpt2()
    tiny_random()
