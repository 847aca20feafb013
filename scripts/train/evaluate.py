# scripts/train/evaluate.py: perplexity protocols (sliding window, unigram baseline) used for the model card and the parity reference (training tooling).
"""Sliding-window perplexity as in the Hugging Face guide "Perplexity of fixed-length models":
windows start at 0, stride, 2*stride, ...; window [begin, end = min(begin + context, n)) scores the
targets at positions [max(prev_end, begin + 1), end), each predicted from the tokens before it in
the window; prev_end is the previous window's end (0 at first); the loop stops at the window that
reaches n. Every position 1..n-1 is scored exactly once when stride <= context.
"""
import math
from collections import Counter

import torch


def windows(n, context, stride):
    """[(begin, end, first scored position)] of the protocol above for a sequence of n tokens."""
    out, prev_end, begin = [], 0, 0
    while True:
        end = min(begin + context, n)
        out.append((begin, end, max(prev_end, begin + 1)))
        prev_end = end
        if end == n:
            return out
        begin += stride


@torch.no_grad()
def sliding_nll(model, ids, context, stride):
    """(sum of the natural-log NLL in fp64, number of scored tokens, per-window sums) of `ids` (list of int)."""
    total, count, per_window = 0.0, 0, []
    for begin, end, first in windows(len(ids), context, stride):
        x = torch.tensor([ids[begin:end]], dtype=torch.int64)
        logp = torch.log_softmax(model(x)[0].double(), dim=-1)
        targets = torch.tensor(ids[first:end], dtype=torch.int64)
        nll = -logp[first - begin - 1:end - begin - 1].gather(1, targets[:, None]).sum().item()
        per_window.append({'begin': begin, 'end': end, 'first_scored': first, 'nll_sum': nll})
        total += nll
        count += end - first
    return total, count, per_window


def unigram_nll(train_ids, eval_ids, vocab_size):
    """Mean NLL (nats) of eval_ids[1:] under add-one-smoothed token frequencies of train_ids."""
    counts = Counter(train_ids)
    denom = len(train_ids) + vocab_size
    return -sum(math.log((counts[t] + 1) / denom) for t in eval_ids[1:]) / (len(eval_ids) - 1)
