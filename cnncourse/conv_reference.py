"""Convolution as notebook 03 asks for it: the plain algorithms, loops and all (lesson 03's
reference solutions; ``cnncourse.conv`` checks the inputs, then calls them)."""

from __future__ import annotations

import torch
import torch.nn.functional as F


def conv_output_size(size, kernel_size, padding=0, stride=1):
    """Output length along one axis of a convolution."""
    return (size + 2 * padding - kernel_size) // stride + 1


def conv2d_single(image, kernel, padding=0, stride=1):
    """Slide kernel (kH, kW) over image (H, W) with loops; returns (H_out, W_out)."""
    kh, kw = kernel.shape
    padded = F.pad(image, (padding, padding, padding, padding))   # zeros on all four sides
    h_out = (image.shape[0] + 2 * padding - kh) // stride + 1
    w_out = (image.shape[1] + 2 * padding - kw) // stride + 1
    out = torch.zeros(h_out, w_out, dtype=torch.result_type(image, kernel))
    for i in range(h_out):
        for j in range(w_out):
            top, left = i * stride, j * stride
            window = padded[top:top + kh, left:left + kw]           # (kH, kW)
            out[i, j] = (window * kernel).sum()                     # multiply-and-sum
    return out


def conv2d_multi(x, weight, bias=None, padding=0, stride=1):
    """x (C_in, H, W), weight (C_out, C_in, k, k), bias (C_out,) -> (C_out, H_out, W_out)."""
    outputs = []
    for o in range(weight.shape[0]):                  # one output channel per filter
        total = 0
        for c in range(x.shape[0]):                   # sum over the input channels
            total = total + conv2d_single(x[c], weight[o, c], padding, stride)
        if bias is not None:
            total = total + bias[o]                   # one bias per output channel
        outputs.append(total)
    return torch.stack(outputs)                       # (C_out, H_out, W_out)


def conv_param_count(in_channels, out_channels, kernel_size, bias=True):
    """Learnable numbers in nn.Conv2d(in_channels, out_channels, kernel_size, bias=bias)."""
    weights = out_channels * in_channels * kernel_size * kernel_size  # a k x k slice per pair
    return weights + (out_channels if bias else 0)                    # one bias per filter
