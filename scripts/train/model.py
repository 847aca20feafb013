# scripts/train/model.py: a Llama decoder in plain torch that computes what transformers' LlamaForCausalLM computes (training tooling).
"""Same parameter names, shapes and arithmetic as `transformers.models.llama.modeling_llama`
(Touvron et al. 2023, "LLaMA"): RMSNorm (Zhang & Sennrich 2019), rotary position embeddings in the
rotate-half layout (Su et al. 2021, as HF implements them), grouped-query attention (Ainslie et al.
2023) and a SiLU-gated MLP (Shazeer 2020), no biases, lm_head tied to the embedding.
"""
import math

import torch
from torch import nn


class RMSNorm(nn.Module):
    """x * rsqrt(mean(x^2) + eps) * weight, computed in fp32 (HF LlamaRMSNorm)."""

    def __init__(self, dim, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x):
        return self.weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps))


def rope_tables(seq_len, head_dim, theta):
    """cos, sin of shape [seq_len, head_dim]: frequencies theta^(-2i/head_dim) repeated for both halves."""
    inv_freq = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=torch.int64).float() / head_dim))
    freqs = torch.outer(torch.arange(seq_len, dtype=torch.int64).float(), inv_freq)
    emb = torch.cat((freqs, freqs), dim=-1)
    return emb.cos(), emb.sin()


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


class Attention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.heads = cfg['num_attention_heads']
        self.kv_heads = cfg['num_key_value_heads']
        self.head_dim = cfg['head_dim']
        hidden = cfg['hidden_size']
        self.q_proj = nn.Linear(hidden, self.heads * self.head_dim, bias=False)
        self.k_proj = nn.Linear(hidden, self.kv_heads * self.head_dim, bias=False)
        self.v_proj = nn.Linear(hidden, self.kv_heads * self.head_dim, bias=False)
        self.o_proj = nn.Linear(self.heads * self.head_dim, hidden, bias=False)

    def forward(self, x, cos, sin, mask):
        b, t, _ = x.shape
        q = self.q_proj(x).view(b, t, self.heads, self.head_dim).transpose(1, 2)
        k = self.k_proj(x).view(b, t, self.kv_heads, self.head_dim).transpose(1, 2)
        v = self.v_proj(x).view(b, t, self.kv_heads, self.head_dim).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        # Query head h reads key/value head h // (heads / kv_heads), as HF repeat_kv lays them out.
        rep = self.heads // self.kv_heads
        k = k.repeat_interleave(rep, dim=1)
        v = v.repeat_interleave(rep, dim=1)
        scores = (q @ k.transpose(-1, -2)) * self.head_dim ** -0.5 + mask
        out = torch.softmax(scores, dim=-1) @ v
        return self.o_proj(out.transpose(1, 2).reshape(b, t, self.heads * self.head_dim))


class MLP(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        hidden, inter = cfg['hidden_size'], cfg['intermediate_size']
        self.gate_proj = nn.Linear(hidden, inter, bias=False)
        self.up_proj = nn.Linear(hidden, inter, bias=False)
        self.down_proj = nn.Linear(inter, hidden, bias=False)

    def forward(self, x):
        return self.down_proj(nn.functional.silu(self.gate_proj(x)) * self.up_proj(x))


class DecoderLayer(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.self_attn = Attention(cfg)
        self.mlp = MLP(cfg)
        self.input_layernorm = RMSNorm(cfg['hidden_size'], cfg['rms_norm_eps'])
        self.post_attention_layernorm = RMSNorm(cfg['hidden_size'], cfg['rms_norm_eps'])

    def forward(self, x, cos, sin, mask):
        x = x + self.self_attn(self.input_layernorm(x), cos, sin, mask)
        return x + self.mlp(self.post_attention_layernorm(x))


class Backbone(nn.Module):
    """HF LlamaModel: embed_tokens, layers, norm (named so state_dict keys match 'model.*')."""

    def __init__(self, cfg):
        super().__init__()
        self.embed_tokens = nn.Embedding(cfg['vocab_size'], cfg['hidden_size'])
        self.layers = nn.ModuleList(DecoderLayer(cfg) for _ in range(cfg['num_hidden_layers']))
        self.norm = RMSNorm(cfg['hidden_size'], cfg['rms_norm_eps'])


class LlamaForCausalLM(nn.Module):
    """forward(ids: int64 [batch, seq]) -> logits: fp32 [batch, seq, vocab_size]; positions start at 0."""

    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.model = Backbone(cfg)
        self.reset_parameters()

    def reset_parameters(self):
        """Normal(0, initializer_range) weights (HF init), residual output projections scaled by
        1/sqrt(2 * layers) (GPT-2 paper, section 2.3), norms at 1."""
        std = self.cfg['initializer_range']
        for name, p in self.named_parameters():
            if name.endswith('layernorm.weight') or name == 'model.norm.weight':
                nn.init.ones_(p)
            elif name.endswith(('o_proj.weight', 'down_proj.weight')):
                nn.init.normal_(p, 0.0, std / math.sqrt(2 * self.cfg['num_hidden_layers']))
            else:
                nn.init.normal_(p, 0.0, std)

    def forward(self, ids):
        t = ids.shape[1]
        cos, sin = rope_tables(t, self.cfg['head_dim'], self.cfg['rope_theta'])
        mask = torch.full((t, t), float('-inf')).triu(1)
        x = self.model.embed_tokens(ids)
        for layer in self.model.layers:
            x = layer(x, cos, sin, mask)
        return self.model.norm(x) @ self.model.embed_tokens.weight.T
