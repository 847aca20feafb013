# scripts/train/check_model.py: checks model.py against a real pretrained Llama (llama2.c stories260K) and its published greedy output (training tooling).
"""Usage: python3 scripts/train/check_model.py [FIXTURES]   (FIXTURES defaults to ../shared/fixtures/stories260K)

Loads stories260K.bin (llama2.c v0 checkpoint, Karpathy, MIT) into model.LlamaForCausalLM, permuting the
q/k rows from llama2.c's interleaved-pair RoPE to HF's rotate-half layout exactly as transformers'
convert_llama_weights_to_hf.py does, then decodes greedily from BOS for 200 tokens as llama2.c's
`run stories260K.bin -z tok512.bin -t 0.0 -n 200` does, and compares with the text llama2.c's own test expects.
Passing means model.py computes a Llama forward pass as HF LlamaForCausalLM does on converted weights.
"""
import os
import struct
import sys

import torch

sys.dont_write_bytecode = True  # keep scripts/train free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model import LlamaForCausalLM  # noqa: E402


def load_llama2c(path):
    """(config dict, HF-named state dict) of a llama2.c v0 checkpoint with a shared classifier."""
    with open(path, 'rb') as f:
        data = f.read()
    dim, hidden, layers, heads, kv_heads, vocab, seq_len = struct.unpack('<7i', data[:28])
    assert vocab > 0, 'this reader handles the shared-classifier layout only'
    head_dim = dim // heads
    floats = torch.frombuffer(bytearray(data[28:]), dtype=torch.float32)
    pos = 0

    def take(*shape):
        nonlocal pos
        n = 1
        for s in shape:
            n *= s
        t = floats[pos:pos + n].reshape(shape).clone()
        pos += n
        return t

    def permute(w, n_heads):  # interleaved pairs (x0, x1), (x2, x3)... -> halves, per head
        out_dim, in_dim = w.shape
        return w.view(n_heads, out_dim // n_heads // 2, 2, in_dim).transpose(1, 2).reshape(out_dim, in_dim)

    sd = {'model.embed_tokens.weight': take(vocab, dim)}
    att_norm = take(layers, dim)
    wq, wk, wv = take(layers, heads * head_dim, dim), take(layers, kv_heads * head_dim, dim), take(layers, kv_heads * head_dim, dim)
    wo, ffn_norm = take(layers, dim, heads * head_dim), take(layers, dim)
    w1, w2, w3 = take(layers, hidden, dim), take(layers, dim, hidden), take(layers, hidden, dim)
    sd['model.norm.weight'] = take(dim)
    for i in range(layers):
        p = f'model.layers.{i}.'
        sd[p + 'input_layernorm.weight'] = att_norm[i]
        sd[p + 'post_attention_layernorm.weight'] = ffn_norm[i]
        sd[p + 'self_attn.q_proj.weight'] = permute(wq[i], heads)
        sd[p + 'self_attn.k_proj.weight'] = permute(wk[i], kv_heads)
        sd[p + 'self_attn.v_proj.weight'] = wv[i]
        sd[p + 'self_attn.o_proj.weight'] = wo[i]
        sd[p + 'mlp.gate_proj.weight'] = w1[i]
        sd[p + 'mlp.down_proj.weight'] = w2[i]
        sd[p + 'mlp.up_proj.weight'] = w3[i]
    cfg = {'vocab_size': vocab, 'hidden_size': dim, 'intermediate_size': hidden, 'num_hidden_layers': layers,
           'num_attention_heads': heads, 'num_key_value_heads': kv_heads, 'head_dim': head_dim,
           'rms_norm_eps': 1e-5, 'rope_theta': 10000.0, 'initializer_range': 0.02, 'max_position_embeddings': seq_len}
    return cfg, sd


def load_pieces(path):
    """Token pieces of a llama2.c tokenizer file (max length int32, then per token: score f32, length int32, bytes)."""
    with open(path, 'rb') as f:
        data = f.read()
    pos, pieces = 4, []
    while pos < len(data):
        (n,) = struct.unpack('<i', data[pos + 4:pos + 8])
        pieces.append(data[pos + 8:pos + 8 + n])
        pos += 8 + n
    return pieces


def decode(pieces, ids, bos=1):
    """Text as llama2.c run.c prints it: raw-byte pieces <0xNN> become bytes; a leading space after BOS is dropped."""
    out, prev = bytearray(), bos
    for i in ids:
        piece = pieces[i]
        if prev == bos and piece.startswith(b' '):
            piece = piece[1:]
        if piece.startswith(b'<0x') and piece.endswith(b'>') and len(piece) == 6:
            piece = bytes([int(piece[3:5], 16)])
        out += piece
        prev = i
    return out.decode('utf-8')


def main():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    fixtures = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, '..', 'shared', 'fixtures', 'stories260K')
    cfg, sd = load_llama2c(os.path.join(fixtures, 'stories260K.bin'))
    model = LlamaForCausalLM(cfg)
    model.load_state_dict(sd)
    model.eval()
    pieces = load_pieces(os.path.join(fixtures, 'tok512.bin'))
    ids = [1]
    with torch.no_grad():
        while len(ids) < 201:  # run.c -n 200: 200 forward steps from BOS, one new token each
            ids.append(int(model(torch.tensor([ids]))[0, -1].argmax()))
    text = decode(pieces, ids[1:])
    with open(os.path.join(fixtures, 'expected', 'llama2c_test_all_greedy_200steps.txt'), encoding='utf-8') as f:
        expected = f.read()
    if text != expected:
        raise SystemExit(f'MISMATCH\n--- got\n{text}\n--- expected\n{expected}')
    print(f'ok: 200 greedy tokens equal llama2.c\'s expected output ({len(text)} characters)')


if __name__ == '__main__':
    main()
