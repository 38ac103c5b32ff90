"""Convolution written out by hand: the multiply-and-sum that ``nn.Conv2d`` does for you.

Like PyTorch, "convolution" here means cross-correlation: the kernel slides without flipping
(``true_convolution`` flips it). The classic kernels and ``apply_kernel`` filter the photos of
notebooks 03 and 04.
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


def _check_2d(t: Any, name: str, where: str) -> None:
    if not isinstance(t, torch.Tensor) or t.dim() != 2:
        got = f"shape {tuple(t.shape)}" if isinstance(t, torch.Tensor) else type(t).__name__
        raise ValueError(f"{where}: {name} must be a 2-D tensor (H, W), got {got}. For a "
                         "(C, H, W) image pick one channel, e.g. image[0].")


def _check_fits(image_shape: tuple, kernel_shape: tuple, padding: int, stride: int,
                where: str) -> None:
    whole_number(padding, "padding", where, minimum=0)
    whole_number(stride, "stride", where)
    for axis, (n, k) in enumerate(zip(image_shape, kernel_shape)):
        along = f" along axis {axis}" if len(kernel_shape) > 1 else ""
        if k > n + 2 * padding:
            raise ValueError(f"{where}: the kernel ({k}{along}) does not fit in the "
                             f"input ({n}) plus padding {padding} on each side; use a smaller "
                             "kernel or more padding.")


def conv_output_size(size: int, kernel_size: int, padding: int = 0, stride: int = 1) -> int:
    """Output length along one axis: ``(size + 2*padding - kernel_size) // stride + 1``."""
    whole_number(size, "size", "conv_output_size")
    whole_number(kernel_size, "kernel_size", "conv_output_size")
    _check_fits((size,), (kernel_size,), padding, stride, "conv_output_size")
    return _reference.conv_output_size(size, kernel_size, padding, stride)


def conv2d_single(image: torch.Tensor, kernel: torch.Tensor, padding: int = 0,
                  stride: int = 1) -> torch.Tensor:
    """Slide ``kernel`` (kH, kW) over ``image`` (H, W) with two loops; returns (H_out, W_out)."""
    _check_2d(image, "image", "conv2d_single")
    _check_2d(kernel, "kernel", "conv2d_single")
    _check_fits(tuple(image.shape), tuple(kernel.shape), padding, stride, "conv2d_single")
    return _reference.conv2d_single(image, kernel, padding, stride)


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


def linear_param_count(in_features: int, out_features: int, bias: bool = True) -> int:
    """Learnable numbers in ``nn.Linear(in_features, out_features, bias=bias)``."""
    whole_number(in_features, "in_features", "linear_param_count")
    whole_number(out_features, "out_features", "linear_param_count")
    return in_features * out_features + (out_features if bias else 0)
