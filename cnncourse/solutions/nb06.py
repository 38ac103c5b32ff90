"""Reference solutions for notebook 06 · Flatten, fully connected layers and outputs."""

from __future__ import annotations

import torch


def flatten_size(height: int, width: int, channels: int, num_pools: int) -> int:
    """Features after ``num_pools`` 2x2 max-pools (convs keep the size) with ``channels`` maps.

    Each pool halves height and width, rounding down; flatten multiplies C * H * W.
    """
    for _ in range(num_pools):
        height, width = height // 2, width // 2
    return channels * height * width


def softmax_cross_entropy(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy of ``logits`` ``(N, K)`` against labels ``y`` ``(N,)``, computed stably.

    ``-log softmax(logits)[y] = logsumexp(logits) - logits[y]``; subtracting each row's max
    first keeps ``exp`` from overflowing without changing the result.
    """
    shifted = logits - logits.max(dim=1, keepdim=True).values          # (N, K), max is 0
    log_sum_exp = shifted.exp().sum(dim=1).log()                        # (N,)
    correct = shifted.gather(1, y[:, None])[:, 0]                       # (N,) score of true class
    return (log_sum_exp - correct).mean()
