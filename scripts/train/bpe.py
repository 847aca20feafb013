# scripts/train/bpe.py: byte-level BPE (GPT-2 style) trainer, encoder and Hugging Face tokenizer.json writer (training tooling, not part of the app).
"""Byte-level BPE as GPT-2 defines it (Radford et al. 2019, openai/gpt-2 `encoder.py`) and as the
Hugging Face `tokenizers` ByteLevel pre-tokenizer + BPE model serialise it in tokenizer.json.

Text is split by the GPT-2 pattern, each piece's UTF-8 bytes are mapped to printable characters
(`byte_to_unicode`), and merges learned on piece frequencies are applied lowest rank first.
"""
import heapq
from collections import Counter, defaultdict

import regex  # Debian python3-regex: the GPT-2 pattern needs \p{L} / \p{N}

# The pattern of GPT-2's encoder.py, which the HF ByteLevel pre-tokenizer (use_regex) also uses.
GPT2_SPLIT = regex.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+""")


def byte_to_unicode():
    """GPT-2's reversible map from the 256 byte values to printable Unicode characters (space -> 'Ġ')."""
    printable = list(range(ord('!'), ord('~') + 1)) + list(range(ord('¡'), ord('¬') + 1)) + list(range(ord('®'), ord('ÿ') + 1))
    codes = printable[:]
    extra = 0
    for b in range(256):
        if b not in printable:
            printable.append(b)
            codes.append(256 + extra)
            extra += 1
    return {b: chr(c) for b, c in zip(printable, codes)}


BYTE_TO_CHAR = byte_to_unicode()
CHAR_TO_BYTE = {c: b for b, c in BYTE_TO_CHAR.items()}


def pieces(text):
    """The pre-tokenized pieces of `text`, each as its byte-level string."""
    return [''.join(BYTE_TO_CHAR[b] for b in p.encode('utf-8')) for p in GPT2_SPLIT.findall(text)]


def _pairs(symbols):
    return zip(symbols, symbols[1:])


def train_bpe(texts, vocab_size, special_tokens):
    """Learns merges until the vocabulary (256 bytes + merges + specials) has `vocab_size` entries.

    Ties between equally frequent pairs go to the lexicographically smallest pair, so the result is a
    pure function of the input. Returns (vocab: dict token -> id, merges: list of (a, b)); ids 0-255 are
    the bytes in byte order, then new tokens in the order their merges were learned, then the special tokens.
    """
    word_counts = Counter()
    for t in texts:
        word_counts.update(pieces(t))
    words = [list(w) for w in word_counts]
    counts = list(word_counts.values())

    pair_count = Counter()
    pair_words = defaultdict(set)
    for i, w in enumerate(words):
        for p in _pairs(w):
            pair_count[p] += counts[i]
            pair_words[p].add(i)
    heap = [(-c, p) for p, c in pair_count.items()]
    heapq.heapify(heap)

    n_tokens = vocab_size - len(special_tokens)
    tokens = [BYTE_TO_CHAR[b] for b in range(256)]
    known = set(tokens)
    merges = []
    while len(tokens) < n_tokens and heap:
        neg, pair = heapq.heappop(heap)
        if pair_count.get(pair, 0) != -neg or -neg == 0:
            continue  # stale heap entry: the count changed since it was pushed
        merges.append(pair)
        merged = pair[0] + pair[1]
        if merged not in known:  # two different pairs can spell the same token: one id for both
            known.add(merged)
            tokens.append(merged)
        changed = set()
        for i in list(pair_words[pair]):
            w = words[i]
            for p in _pairs(w):
                pair_count[p] -= counts[i]
                pair_words[p].discard(i)
                changed.add(p)
            out, j = [], 0
            while j < len(w):
                if j + 1 < len(w) and w[j] == pair[0] and w[j + 1] == pair[1]:
                    out.append(merged)
                    j += 2
                else:
                    out.append(w[j])
                    j += 1
            words[i] = out
            for p in _pairs(out):
                pair_count[p] += counts[i]
                pair_words[p].add(i)
                changed.add(p)
        for p in changed:
            if pair_count[p] > 0:
                heapq.heappush(heap, (-pair_count[p], p))
            else:
                pair_count.pop(p, None)
    if len(tokens) < n_tokens:
        raise SystemExit(f'The corpus only supports {len(tokens)} tokens, fewer than the {n_tokens} asked for: lower the vocabulary size.')
    vocab = {t: i for i, t in enumerate(tokens + list(special_tokens))}
    return vocab, merges


class Encoder:
    """Encodes text with learned merges exactly as HF `tokenizers` BPE does for a ByteLevel tokenizer."""

    def __init__(self, vocab, merges):
        self.vocab = vocab
        self.inverse = {i: t for t, i in vocab.items()}
        self.ranks = {p: r for r, p in enumerate(merges)}
        self.cache = {}

    def _bpe(self, piece):
        symbols = list(piece)
        while len(symbols) > 1:
            best = min(_pairs(symbols), key=lambda p: self.ranks.get(p, float('inf')))
            if best not in self.ranks:
                break
            out, j = [], 0
            while j < len(symbols):
                if j + 1 < len(symbols) and symbols[j] == best[0] and symbols[j + 1] == best[1]:
                    out.append(best[0] + best[1])
                    j += 2
                else:
                    out.append(symbols[j])
                    j += 1
            symbols = out
        return [self.vocab[s] for s in symbols]

    def encode(self, text):
        """Token ids of `text` (no special tokens added)."""
        ids = []
        for p in pieces(text):
            if p not in self.cache:
                self.cache[p] = self._bpe(p)
            ids.extend(self.cache[p])
        return ids

    def decode(self, ids):
        """The text of `ids` (special tokens kept as their text)."""
        data = bytearray()
        for i in ids:
            t = self.inverse[i]
            if all(c in CHAR_TO_BYTE for c in t):
                data.extend(CHAR_TO_BYTE[c] for c in t)
            else:
                data.extend(t.encode('utf-8'))
        return data.decode('utf-8', errors='replace')


def tokenizer_json(vocab, merges, bos_token):
    """The Hugging Face tokenizer.json object: ByteLevel pre-tokenizer and decoder, BPE model, and a
    post-processor that prepends `bos_token` (as Llama tokenizers do with add_bos_token)."""
    bos_id = vocab[bos_token]
    special = {'SpecialToken': {'id': bos_token, 'type_id': 0}}
    byte_level = {'type': 'ByteLevel', 'add_prefix_space': False, 'trim_offsets': True, 'use_regex': True}
    return {
        'version': '1.0',
        'truncation': None,
        'padding': None,
        'added_tokens': [{'id': bos_id, 'content': bos_token, 'single_word': False, 'lstrip': False,
                          'rstrip': False, 'normalized': False, 'special': True}],
        'normalizer': None,
        'pre_tokenizer': byte_level,
        'post_processor': {
            'type': 'TemplateProcessing',
            'single': [special, {'Sequence': {'id': 'A', 'type_id': 0}}],
            'pair': [special, {'Sequence': {'id': 'A', 'type_id': 0}}, special, {'Sequence': {'id': 'B', 'type_id': 1}}],
            'special_tokens': {bos_token: {'id': bos_token, 'ids': [bos_id], 'tokens': [bos_token]}},
        },
        'decoder': byte_level,
        'model': {
            'type': 'BPE', 'dropout': None, 'unk_token': None, 'continuing_subword_prefix': None,
            'end_of_word_suffix': None, 'fuse_unk': False, 'byte_fallback': False, 'ignore_merges': False,
            'vocab': vocab,
            'merges': [f'{a} {b}' for a, b in merges],
        },
    }
