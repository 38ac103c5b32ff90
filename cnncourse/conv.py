"""Convolution written out by hand: the multiply-and-sum that ``nn.Conv2d`` does for you.

Notebook 03 builds ``conv_output_size``, ``conv2d_single``, ``conv2d_multi`` and
``conv_param_count`` cell by cell; later notebooks import them from here under the same names.
Their algorithms live once, in the readable reference solutions
(``cnncourse/conv_reference.py``); the versions here check their inputs first and explain bad
ones. ``conv2d`` is the fast batched version (``unfold``). Like PyTorch, "convolution" means
cross-correlation: the kernel slides as it is, without flipping (``true_convolution`` flips it).
"""

from __future__ import annotations

from typing import Any

import torch
from torch.nn import functional as F

from cnncourse import conv_reference as _reference
from cnncourse.validate import whole_number

# Classic 3x3 kernels, shown in the kernel playground and applied to the photo.
KERNELS: dict[str, list[list[float]]] = {
    "identity": [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
    "edge": [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]],
    "sobel_x": [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],
    "sobel_y": [[-1, -2, -1], [0, 0, 0], [1, 2, 1]],
    "blur": [[1 / 9] * 3, [1 / 9] * 3, [1 / 9] * 3],
    "gaussian": [[1 / 16, 2 / 16, 1 / 16], [2 / 16, 4 / 16, 2 / 16], [1 / 16, 2 / 16, 1 / 16]],
    "sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
    "emboss": [[-2, -1, 0], [-1, 1, 1], [0, 1, 2]],
}


def kernel(name: str) -> torch.Tensor:
    """One of the classic 3x3 kernels in ``KERNELS`` as a float tensor ``(3, 3)``."""
    if name not in KERNELS:
        raise ValueError(f"kernel: unknown kernel {name!r}; expected one of "
                         f"{sorted(KERNELS)}.")
    return torch.tensor(KERNELS[name], dtype=torch.float32)


def conv_output_size(size: int, kernel_size: int, padding: int = 0, stride: int = 1) -> int:
    """Output length along one axis: ``(size + 2*padding - kernel_size) // stride + 1``."""
    whole_number(size, "size", "conv_output_size")
    whole_number(kernel_size, "kernel_size", "conv_output_size")
    whole_number(padding, "padding", "conv_output_size", minimum=0)
    whole_number(stride, "stride", "conv_output_size")
    if kernel_size > size + 2 * padding:
        raise ValueError(f"conv_output_size: a {kernel_size}-wide kernel does not fit in "
                         f"{size} pixels plus padding {padding} on each side; use a smaller "
                         "kernel or more padding.")
    return _reference.conv_output_size(size, kernel_size, padding, stride)


def _check_dims(t: Any, dims: int, where: str, expected: str, hint: str) -> None:
    """Raise ``"{where}: {expected}, got <shape>. {hint}"`` unless ``t`` is a ``dims``-D tensor."""
    if not isinstance(t, torch.Tensor) or t.dim() != dims:
        got = f"shape {tuple(t.shape)}" if isinstance(t, torch.Tensor) else type(t).__name__
        raise ValueError(f"{where}: {expected}, got {got}. {hint}")


def _check_2d(t: Any, name: str, where: str) -> None:
    _check_dims(t, 2, where, f"{name} must be a 2-D tensor (H, W)",
                "For a (C, H, W) image pick one channel, e.g. image[0].")


def _check_fits(image_shape: tuple, kernel_shape: tuple, padding: int, stride: int,
                where: str) -> None:
    whole_number(padding, "padding", where, minimum=0)
    whole_number(stride, "stride", where)
    for axis, (n, k) in enumerate(zip(image_shape, kernel_shape)):
        if k > n + 2 * padding:
            raise ValueError(f"{where}: the kernel ({k} along axis {axis}) does not fit in the "
                             f"input ({n}) plus padding {padding} on each side; use a smaller "
                             "kernel or more padding.")


def _check_weight(weight: Any, in_channels: int, where: str) -> None:
    if not isinstance(weight, torch.Tensor) or weight.dim() != 4 or weight.shape[1] != in_channels:
        got = tuple(weight.shape) if isinstance(weight, torch.Tensor) else type(weight).__name__
        raise ValueError(f"{where}: weight must be (C_out, C_in={in_channels}, kH, kW), "
                         f"got {got}.")


def conv2d_single(image: torch.Tensor, kernel: torch.Tensor, padding: int = 0,
                  stride: int = 1) -> torch.Tensor:
    """Slide ``kernel`` (kH, kW) over ``image`` (H, W) with two loops; returns (H_out, W_out)."""
    _check_2d(image, "image", "conv2d_single")
    _check_2d(kernel, "kernel", "conv2d_single")
    _check_fits(tuple(image.shape), tuple(kernel.shape), padding, stride, "conv2d_single")
    return _reference.conv2d_single(image, kernel, padding, stride)


def conv2d_multi(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None = None,
                 padding: int = 0, stride: int = 1) -> torch.Tensor:
    """Many channels in and out: ``x`` (C_in, H, W), ``weight`` (C_out, C_in, k, k) -> (C_out, ...)."""
    _check_dims(x, 3, "conv2d_multi", "x must be one image (C_in, H, W)",
                "For a batch, loop over it or use conv2d.")
    _check_weight(weight, x.shape[0], "conv2d_multi")
    if bias is not None and tuple(bias.shape) != (weight.shape[0],):
        raise ValueError(f"conv2d_multi: bias must have one value per output channel, shape "
                         f"({weight.shape[0]},), got {tuple(bias.shape)}.")
    _check_fits(tuple(x.shape[1:]), tuple(weight.shape[2:]), padding, stride, "conv2d_multi")
    return _reference.conv2d_multi(x, weight, bias, padding, stride)


def conv2d(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None = None,
           padding: int = 0, stride: int = 1) -> torch.Tensor:
    """Vectorised conv with ``unfold``: ``x`` (N, C_in, H, W) -> (N, C_out, H_out, W_out)."""
    _check_dims(x, 4, "conv2d", "x must be a batch (N, C_in, H, W)",
                "For one image use x.unsqueeze(0).")
    _check_weight(weight, x.shape[1], "conv2d")
    n, _, h, w = x.shape
    c_out, _, kh, kw = weight.shape
    h_out = conv_output_size(h, kh, padding, stride)
    w_out = conv_output_size(w, kw, padding, stride)
    # Every window becomes one column: (N, C_in*kH*kW, L) with L = H_out*W_out positions.
    cols = F.unfold(x, (kh, kw), padding=padding, stride=stride)
    out = weight.reshape(c_out, -1) @ cols         # (N, C_out, L): all multiply-and-sums at once
    if bias is not None:
        out = out + bias.reshape(1, c_out, 1)
    return out.reshape(n, c_out, h_out, w_out)


def true_convolution(image: torch.Tensor, kernel: torch.Tensor, padding: int = 0) -> torch.Tensor:
    """Convolution as in signal processing: flip the kernel both ways, then slide it."""
    _check_2d(kernel, "kernel", "true_convolution")
    return conv2d_single(image, torch.flip(kernel, dims=(0, 1)), padding=padding)


def apply_kernel(image: torch.Tensor, kernel: Any, padding: str | int = "same") -> torch.Tensor:
    """Filter a gray image ``(H, W)`` or each channel of ``(C, H, W)`` with one 2-D kernel."""
    if not isinstance(image, torch.Tensor) or image.dim() not in (2, 3):
        got = (f"shape {tuple(image.shape)}" if isinstance(image, torch.Tensor)
               else type(image).__name__)
        raise ValueError(f"apply_kernel: image must be a tensor (H, W) or (C, H, W), got {got}.")
    k = torch.as_tensor(kernel, dtype=torch.float32)
    if k.dim() != 2:
        raise ValueError(f"apply_kernel: kernel must be 2-D (kH, kW), got shape "
                         f"{tuple(k.shape)}.")
    x = image.float()
    x = x[None, None] if x.dim() == 2 else x[:, None]      # (C, 1, H, W): channels as batch
    out = F.conv2d(x, k[None, None], padding=padding)      # (C, 1, H', W')
    return out[0, 0] if image.dim() == 2 else out[:, 0]


def conv_param_count(in_channels: int, out_channels: int, kernel_size: int,
                     bias: bool = True) -> int:
    """Learnable numbers in ``nn.Conv2d(in_channels, out_channels, kernel_size, bias=bias)``."""
    whole_number(in_channels, "in_channels", "conv_param_count")
    whole_number(out_channels, "out_channels", "conv_param_count")
    whole_number(kernel_size, "kernel_size", "conv_param_count")
    return _reference.conv_param_count(in_channels, out_channels, kernel_size, bias)


def linear_param_count(in_features: int, out_features: int, bias: bool = True) -> int:
    """Learnable numbers in ``nn.Linear(in_features, out_features, bias=bias)``."""
    whole_number(in_features, "in_features", "linear_param_count")
    whole_number(out_features, "out_features", "linear_param_count")
    return in_features * out_features + (out_features if bias else 0)
