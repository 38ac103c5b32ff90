"""Reference solutions for notebook 08 · Under the hood."""

import torch


def receptive_field_size(kernel_sizes, strides):
    """Input pixels (per side) seen by one output of a stack of conv/pool layers."""
    size, jump = 1, 1            # one pixel; neighbouring outputs 1 input pixel apart
    for k, s in zip(kernel_sizes, strides):
        size += (k - 1) * jump   # a k-wide window reaches k - 1 more positions of the layer below
        jump *= s                # a stride spreads the next layer's inputs further apart
    return size


def numerical_grad(f, x, eps=1e-3):
    """Central finite differences: d f / d x[i] ~ (f(x + eps) - f(x - eps)) / (2 eps)."""
    grad = torch.zeros_like(x)
    flat, g = x.view(-1), grad.view(-1)
    for i in range(flat.numel()):
        old = flat[i].item()
        flat[i] = old + eps
        up = float(f(x))
        flat[i] = old - eps
        down = float(f(x))
        flat[i] = old            # put the value back before moving on
        g[i] = (up - down) / (2 * eps)
    return grad
