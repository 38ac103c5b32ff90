"""Reference solutions for notebook 04 · Pooling."""

from __future__ import annotations

import torch


def max_pool2d(x: torch.Tensor, kernel_size: int = 2, stride: int | None = None) -> torch.Tensor:
    """Max pooling from scratch: the largest value in each window of each channel.

    Args:
        x: feature maps ``(N, C, H, W)``.
        kernel_size: the window is ``kernel_size x kernel_size``.
        stride: step between windows; defaults to ``kernel_size`` (no overlap), like PyTorch.
    Returns ``(N, C, H_out, W_out)`` with ``H_out = (H - kernel_size) // stride + 1``.
    """
    stride = kernel_size if stride is None else stride
    n, c, h, w = x.shape
    h_out = (h - kernel_size) // stride + 1
    w_out = (w - kernel_size) // stride + 1
    out = torch.empty(n, c, h_out, w_out, dtype=x.dtype)
    for i in range(h_out):
        for j in range(w_out):
            top, left = i * stride, j * stride
            window = x[:, :, top:top + kernel_size, left:left + kernel_size]  # (N, C, k, k)
            out[:, :, i, j] = window.amax(dim=(2, 3))  # per image and channel, never across
    return out


def stack_output_size(size: int, layers: list[tuple[str, int, int, int]]) -> int:
    """Side length after a stack of layers, each ``(kind, kernel_size, stride, padding)``.

    Conv and pool layers follow the same formula: ``(size + 2*padding - kernel) // stride + 1``.
    """
    for _kind, kernel_size, stride, padding in layers:
        size = (size + 2 * padding - kernel_size) // stride + 1
    return size
