"""Built-in generated image datasets: the stand-in when the real data cannot be had.

Each image shows one of ten shapes or textures (the class) at a random position, size and
slight rotation, in random colours, on a shaded background with pixel noise. A small CNN
learns it in a few epochs, but not in one step: the position, scale, colour and noise all
change, so the network has to learn what the shape looks like, not where a pixel is.

Generation is vectorised in torch and deterministic for a given seed.
"""

from __future__ import annotations

import math

import torch

CLASSES = ["circle", "square", "triangle", "plus", "ring",
           "h-stripes", "v-stripes", "x-cross", "checker", "two-dots"]
"""Names of the ten synthetic classes, in label order."""

SHAPES = {"mnist": (1, 28, 28), "fashion_mnist": (1, 28, 28), "cifar10": (3, 32, 32)}
"""The ``(C, H, W)`` shape each stand-in copies from its real dataset."""

_SEED_OFFSET = {"mnist": 0, "fashion_mnist": 1_000_003, "cifar10": 2_000_003}
_CHUNK = 512  # images generated at once: small enough to stay in the CPU cache


def _mask(label: int, u: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """Boolean mask of class ``label`` in shape coordinates ``u, v`` (radius 1 = shape size)."""
    au, av = u.abs(), v.abs()
    rad = torch.sqrt(u * u + v * v)
    box = torch.maximum(au, av)
    if label == 0:                                   # circle
        return rad < 1.0
    if label == 1:                                   # square
        return box < 0.85
    if label == 2:                                   # triangle, apex up
        return (v < 0.75) & (au * 1.6 < v + 0.95)
    if label == 3:                                   # plus
        return ((au < 0.3) & (av < 1.0)) | ((av < 0.3) & (au < 1.0))
    if label == 4:                                   # ring
        return (rad < 1.0) & (rad > 0.55)
    if label == 5:                                   # horizontal stripes
        return (box < 0.95) & (torch.sin(v * math.pi * 2.2) > 0)
    if label == 6:                                   # vertical stripes
        return (box < 0.95) & (torch.sin(u * math.pi * 2.2) > 0)
    if label == 7:                                   # diagonal cross
        return (((u - v).abs() < 0.3) | ((u + v).abs() < 0.3)) & (box < 0.85)
    if label == 8:                                   # checkerboard
        return (box < 0.95) & (torch.sin(u * math.pi * 1.6) * torch.sin(v * math.pi * 1.6) > 0)
    if label == 9:                                   # two dots side by side
        return ((u - 0.55) ** 2 + v * v < 0.16) | ((u + 0.55) ** 2 + v * v < 0.16)
    raise ValueError(f"_mask: label must be in 0..9, got {label}.")


def _chunk(labels: torch.Tensor, channels: int, size: int,
           gen: torch.Generator) -> torch.Tensor:
    """Render images for ``labels``: float in [0, 1], ``(n, C, size, size)``."""
    n = labels.shape[0]

    def rand(*shape: int) -> torch.Tensor:
        return torch.rand(*shape, generator=gen)

    coords = (torch.arange(size, dtype=torch.float32) + 0.5) / size
    ys, xs = coords.view(1, size, 1), coords.view(1, 1, size)        # (1, S, 1), (1, 1, S)
    cx, cy = (0.3 + 0.4 * rand(n, 1, 1)), (0.3 + 0.4 * rand(n, 1, 1))
    radius = 0.17 + 0.15 * rand(n, 1, 1)
    theta = (rand(n, 1, 1) - 0.5) * 0.7                               # about +-20 degrees
    dx, dy = xs - cx, ys - cy                                         # (n, S, S)
    cos, sin = torch.cos(theta), torch.sin(theta)
    u = (cos * dx + sin * dy) / radius
    v = (-sin * dx + cos * dy) / radius
    mask = torch.zeros(n, size, size, dtype=torch.bool)
    for label in range(len(CLASSES)):
        idx = (labels == label).nonzero(as_tuple=True)[0]
        if idx.numel():
            mask[idx] = _mask(label, u[idx], v[idx])
    m = mask.unsqueeze(1).float()                                     # (n, 1, S, S)

    if channels == 1:
        bg = 0.25 * rand(n, 1, 1, 1)                                  # dark background
        fg = 0.65 + 0.35 * rand(n, 1, 1, 1)                           # bright shape
    else:
        bg = rand(n, channels, 1, 1)
        fg = rand(n, channels, 1, 1)
        # Keep enough brightness contrast that the shape is visible to a person.
        gap = fg.mean(1, keepdim=True) - bg.mean(1, keepdim=True)     # (n, 1, 1, 1)
        push = torch.where(gap >= 0, 1.0, -1.0) * (0.3 - gap.abs()).clamp(min=0)
        fg = (fg + push).clamp(0, 1)
        bg = (bg - push).clamp(0, 1)
    slope = (rand(n, 1, 1, 1) - 0.5) * 0.3                            # shaded background
    shade = slope * (xs.unsqueeze(0) - 0.5 + ys.unsqueeze(0) - 0.5)   # (n, 1, S, S)
    img = (bg + shade) * (1 - m) + fg * m
    img = img + 0.08 * torch.randn(n, channels, size, size, generator=gen)
    return img.clamp_(0, 1)


def generate(name: str, n: int, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Generate ``n`` images shaped like dataset ``name``.

    Returns ``(images, labels)``: ``images`` is uint8 ``(n, C, H, W)``, ``labels`` int64
    ``(n,)`` with classes balanced to within one image. The same ``(name, n, seed)`` always
    gives the same data.
    """
    if name not in SHAPES:
        raise ValueError(f"generate: unknown dataset {name!r}; expected one of "
                         f"{', '.join(SHAPES)}.")
    if not isinstance(n, int) or isinstance(n, bool) or n < 0:
        raise ValueError(f"generate: n must be a non-negative int, got {n!r}.")
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"generate: seed must be a non-negative int, got {seed!r}.")
    channels, size, _ = SHAPES[name]
    gen = torch.Generator().manual_seed(seed + _SEED_OFFSET[name])
    labels = (torch.arange(n) % len(CLASSES))[torch.randperm(n, generator=gen)]  # (n,)
    images = torch.empty(n, channels, size, size, dtype=torch.uint8)
    # Small element-wise ops run fastest on one thread: several threads gain little here
    # and slow down badly when the CPU is shared (a workshop server, a CI runner).
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        for start in range(0, n, _CHUNK):
            part = _chunk(labels[start:start + _CHUNK], channels, size, gen)
            images[start:start + _CHUNK] = (part * 255).round_().to(torch.uint8)
    finally:
        torch.set_num_threads(threads)
    return images, labels
