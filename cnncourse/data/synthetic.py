"""Built-in generated image datasets: the stand-in when the real data cannot be had.

Each has its real dataset's image shape and class count, and look-alike classes that get
confused as in the real data: digits drawn as pen strokes (``mnist``), garment silhouettes
(``fashion_mnist``), ten colour patterns in five look-alike pairs (``cifar10``). Generation is
vectorised in torch and deterministic for a given seed.
"""

from __future__ import annotations

import math

import torch

from cnncourse.data.catalog import SHAPES, STANDIN_CLASSES, canonical_name
from cnncourse.validate import whole_number

_SEED_OFFSET = {"mnist": 0, "fashion_mnist": 1_000_003, "cifar10": 2_000_003}
_CHUNK = 512  # images generated at once: small enough to stay in the CPU cache


# ---------------------------------------------------------------------------------------------
# Shared helpers


def _grid(size: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Pixel-centre coordinates in [-1, 1]: ``xs (1, 1, S)``, ``ys (1, S, 1)``."""
    c = (torch.arange(size, dtype=torch.float32) + 0.5) / size * 2 - 1
    return c.view(1, 1, size), c.view(1, size, 1)


_BLUR_SIGMA = 1.0  # pixels: the pen's soft edge


def _blur_kernel() -> torch.Tensor:
    r = torch.arange(-3, 4, dtype=torch.float32)
    k = torch.exp(-r * r / (2 * _BLUR_SIGMA ** 2))
    return (k / k.sum()).view(1, 1, 7, 1)                              # separable: (1, 1, 7, 1)


_KERNEL = _blur_kernel()
_PEAK = 1 / (math.sqrt(2 * math.pi) * _BLUR_SIGMA)  # blurred density on a line's centre


def _strokes(seg: torch.Tensor, size: int, half: torch.Tensor, samples: int = 24) -> torch.Tensor:
    """Ink of pen strokes ``seg (n, K, 4)`` (``x0, y0, x1, y1`` in [-1, 1]): ``(n, S, S)``.

    ``half (n, 1, 1)`` is each image's half stroke width in pixels. The strokes are sampled
    densely, splatted onto the pixel grid, blurred and thresholded: far cheaper than a
    distance from every pixel to every segment.
    """
    n, k, _ = seg.shape
    t = (torch.arange(samples, dtype=torch.float32) + 0.5) / samples   # (T,)
    a, b = seg[..., None, 0:2], seg[..., None, 2:4]                    # (n, K, 1, 2)
    pts = (a + (b - a) * t.view(1, 1, -1, 1)) .reshape(n, -1, 2)       # (n, K*T, 2)
    length = (b - a).norm(dim=-1) * size / 2 / samples                 # (n, K, 1) pixels
    weight = length.expand(n, k, samples).reshape(n, -1)               # (n, K*T)
    pix = (pts + 1) * size / 2 - 0.5                                   # pixel coordinates
    base = pix.floor()
    frac = pix - base
    base = base.long()
    canvas = torch.zeros(n * size * size)
    offset = (torch.arange(n) * size * size).view(n, 1)
    for dy in (0, 1):
        for dx in (0, 1):
            ix, iy = base[..., 0] + dx, base[..., 1] + dy
            w = weight * (frac[..., 0] if dx else 1 - frac[..., 0]) \
                * (frac[..., 1] if dy else 1 - frac[..., 1])
            ok = (ix >= 0) & (ix < size) & (iy >= 0) & (iy < size)
            idx = (offset + iy.clamp(0, size - 1) * size + ix.clamp(0, size - 1))
            canvas.index_add_(0, idx.view(-1), (w * ok).view(-1))
    conv = torch.nn.functional.conv2d
    dens = conv(canvas.view(n, 1, size, size), _KERNEL, padding=(3, 0))
    dens = conv(dens, _KERNEL.view(1, 1, 1, 7), padding=(0, 3))        # (n, 1, S, S)
    thr = _PEAK * torch.exp(-half * half / (2 * _BLUR_SIGMA ** 2))     # (n, 1, 1)
    return ((dens[:, 0] / thr - 1) * 2 + 0.5).clamp(0, 1)


def _inside(poly: torch.Tensor, size: int) -> torch.Tensor:
    """Even-odd fill of polygons ``poly (n, P, 2)`` (closed, repeated points allowed): ``(n, S, S)``.

    Scanline fill: where each edge crosses each pixel row, then a running count along the row.
    """
    n = poly.shape[0]
    _, ys = _grid(size)
    row = ys.view(1, 1, size)                                          # (1, 1, S)
    a, b = poly, torch.roll(poly, -1, dims=1)                          # edges a -> b
    ax, ay, bx, by = a[..., 0:1], a[..., 1:2], b[..., 0:1], b[..., 1:2]  # (n, P, 1)
    crosses = (ay > row) != (by > row)                                 # (n, P, S)
    dy = torch.where((by - ay).abs() < 1e-8, torch.full_like(by, 1e-8), by - ay)
    x_at = ax + (row - ay) * (bx - ax) / dy                            # (n, P, S)
    # First pixel column whose centre lies right of the crossing (S: none).
    col = ((x_at + 1) * size / 2 - 0.5).floor().add(1).clamp(0, size).long()
    col = torch.where(crosses, col, torch.full_like(col, size))
    toggles = torch.zeros(n, size, size + 1)                           # (n, rows, cols + 1)
    toggles.scatter_add_(2, col.transpose(1, 2), crosses.transpose(1, 2).float())
    return (toggles.cumsum(dim=2)[..., :size] % 2)


def _affine(pts: torch.Tensor, gen: torch.Generator, p: dict) -> torch.Tensor:
    """Random smooth warp, then scale, aspect, shear, rotation and shift of ``pts (n, P, 2)``,
    each as far as the knobs ``p`` allow (:data:`MNIST_PARAMS`, :data:`FASHION_PARAMS`)."""
    n = pts.shape[0]

    def rand(*s: int) -> torch.Tensor:
        return torch.rand(*s, generator=gen)

    x, y = pts[..., 0], pts[..., 1]                                    # (n, P)
    c = (rand(n, 6, 1) * 2 - 1) * p["warp"]  # a random quadratic field: strokes bend, stay joined
    x = x + c[:, 0] * x * x + c[:, 1] * y * y + c[:, 2] * x * y
    y = y + c[:, 3] * x * x + c[:, 4] * y * y + c[:, 5] * x * y
    s = p["scale"][0] + (p["scale"][1] - p["scale"][0]) * rand(n, 1)
    asp = 1 + (rand(n, 1) * 2 - 1) * p["aspect"]
    x, y = x * s * asp, y * s / asp
    x = x + (rand(n, 1) * 2 - 1) * p["shear"] * y
    th = (rand(n, 1) * 2 - 1) * p["rot"]
    cos, sin = torch.cos(th), torch.sin(th)
    x, y = cos * x - sin * y, sin * x + cos * y
    x = x + (rand(n, 1) * 2 - 1) * p["shift"]
    y = y + (rand(n, 1) * 2 - 1) * p["shift"]
    return torch.stack([x, y], dim=-1)


def _pad(items: list[list[tuple[float, ...]]], empty: tuple[float, ...] = ()) -> torch.Tensor:
    """Lists of points or segments of different lengths -> ``(len, P, D)``, repeating each
    list's last entry (``empty`` fills a list that has none)."""
    p = max(len(row) for row in items)
    return torch.tensor([row + [row[-1] if row else empty] * (p - len(row)) for row in items],
                        dtype=torch.float32)


def _smooth_noise(n: int, channels: int, size: int, cells: int,
                  gen: torch.Generator) -> torch.Tensor:
    """Low-frequency noise in about [-1, 1]: ``(n, C, S, S)`` from a ``cells x cells`` grid."""
    coarse = torch.rand(n, channels, cells, cells, generator=gen) * 2 - 1
    return torch.nn.functional.interpolate(coarse, size=(size, size), mode="bilinear",
                                           align_corners=False)


# ---------------------------------------------------------------------------------------------
# MNIST: stroke-drawn digits

_DIGITS: list[list[list[tuple[float, float]]]] = [
    # Each digit is a list of pen strokes; each stroke a polyline in a box x in [-0.5, 0.5],
    # y in [-0.7, 0.7] (y points down).
    [[(0.5 * math.cos(t), 0.7 * math.sin(t)) for t in
      [2 * math.pi * k / 14 for k in range(15)]]],                                       # 0
    [[(-0.2, -0.45), (0.05, -0.7), (0.0, 0.7)]],                                         # 1
    [[(-0.4, -0.4), (-0.2, -0.65), (0.1, -0.7), (0.35, -0.55), (0.38, -0.25), (0.15, 0.1),
      (-0.45, 0.7), (0.45, 0.7)]],                                                       # 2
    [[(-0.4, -0.55), (-0.1, -0.7), (0.25, -0.62), (0.33, -0.35), (0.05, -0.05),
      (0.38, 0.2), (0.35, 0.52), (0.0, 0.7), (-0.4, 0.55)], [(-0.1, -0.05), (0.05, -0.05)]],  # 3
    [[(0.15, 0.7), (0.15, -0.7), (-0.45, 0.25), (0.45, 0.25)]],                          # 4
    [[(0.4, -0.7), (-0.28, -0.7), (-0.35, -0.1), (0.05, -0.18), (0.38, 0.05),
      (0.4, 0.45), (0.1, 0.7), (-0.4, 0.58)]],                                           # 5
    [[(0.3, -0.7), (-0.1, -0.42), (-0.38, 0.05), (-0.4, 0.45), (-0.12, 0.7),
      (0.22, 0.65), (0.4, 0.35), (0.22, 0.05), (-0.12, 0.05), (-0.38, 0.3)]],            # 6
    [[(-0.45, -0.7), (0.45, -0.7), (0.0, 0.7)]],                                         # 7
    [[(0.0, -0.05), (0.3, -0.25), (0.3, -0.55), (0.0, -0.7), (-0.3, -0.55),
      (-0.3, -0.25), (0.0, -0.05), (0.36, 0.2), (0.36, 0.55), (0.0, 0.7),
      (-0.36, 0.55), (-0.36, 0.2), (0.0, -0.05)]],                                       # 8
    [[(0.35, -0.38), (0.1, -0.08), (-0.25, -0.12), (-0.38, -0.42), (-0.15, -0.7),
      (0.2, -0.65), (0.35, -0.38), (0.28, 0.1), (0.12, 0.7)]],                           # 9
]


_DIGIT_SEGS = _pad([[(*a, *b) for pts in strokes for a, b in zip(pts[:-1], pts[1:])]
                    for strokes in _DIGITS])                           # (10, K, 4) segments
MNIST_PARAMS = {"scale": (0.85, 1.1), "rot": 0.3, "shear": 0.35, "shift": 0.12,
                "aspect": 0.15, "warp": 0.45, "thick": (0.8, 2.2), "noise": 0.03}
"""Knobs of the MNIST stand-in (tuned by measurement): size, rotation (radians), slant,
shift, aspect, warp of the strokes, half pen width in pixels, pixel noise."""


def _mnist(labels: torch.Tensor, size: int, gen: torch.Generator) -> torch.Tensor:
    """Stroke-drawn digits, white on black: float ``(n, 1, S, S)`` in [0, 1]."""
    p = MNIST_PARAMS
    n = labels.shape[0]
    seg = _DIGIT_SEGS[labels]                                          # (n, K, 4)
    k = seg.shape[1]
    pts = _affine(seg.view(n, 2 * k, 2), gen, p).view(n, k, 4)
    half = p["thick"][0] + (p["thick"][1] - p["thick"][0]) * torch.rand(n, 1, 1, generator=gen)
    ink = _strokes(pts, size, half)                                    # (n, S, S)
    ink = ink * (0.75 + 0.25 * torch.rand(n, 1, 1, generator=gen))
    img = ink.unsqueeze(1) + p["noise"] * torch.randn(n, 1, size, size, generator=gen)
    return img.clamp_(0, 1)


# ---------------------------------------------------------------------------------------------
# Fashion-MNIST: garment silhouettes

_TOP = [(-0.35, -0.8), (-0.15, -0.68), (0.15, -0.68), (0.35, -0.8)]  # shoulders and neck
_GARMENTS: list[list[tuple[float, float]]] = [
    _TOP + [(0.85, -0.45), (0.68, -0.12), (0.45, -0.28), (0.45, 0.85), (-0.45, 0.85),
            (-0.45, -0.28), (-0.68, -0.12), (-0.85, -0.45)],                       # T-shirt
    [(-0.42, -0.9), (0.42, -0.9), (0.48, 0.9), (0.1, 0.9), (0.0, -0.35), (-0.1, 0.9),
     (-0.48, 0.9)],                                                                # trouser
    _TOP + [(0.72, -0.55), (0.88, 0.8), (0.64, 0.8), (0.5, -0.15), (0.5, 0.85),
            (-0.5, 0.85), (-0.5, -0.15), (-0.64, 0.8), (-0.88, 0.8), (-0.72, -0.55)],  # pullover
    [(-0.2, -0.9), (0.2, -0.9), (0.28, -0.3), (0.62, 0.9), (-0.62, 0.9),
     (-0.28, -0.3)],                                                               # dress
    _TOP + [(0.75, -0.55), (0.9, 0.85), (0.66, 0.85), (0.55, -0.1), (0.55, 0.95),
            (-0.55, 0.95), (-0.55, -0.1), (-0.66, 0.85), (-0.9, 0.85), (-0.75, -0.55)],  # coat
    [(-0.9, 0.25), (-0.5, 0.05), (-0.2, 0.1), (0.2, -0.1), (0.55, -0.2), (0.9, 0.2),
     (0.9, 0.4), (-0.9, 0.4)],                                                     # sandal
    [(-0.35, -0.8), (0.0, -0.5), (0.35, -0.8), (0.72, -0.55), (0.86, 0.8), (0.64, 0.8),
     (0.5, -0.15), (0.5, 0.85), (-0.5, 0.85), (-0.5, -0.15), (-0.64, 0.8), (-0.86, 0.8),
     (-0.72, -0.55)],                                                              # shirt
    [(-0.9, 0.05), (-0.3, -0.1), (0.2, -0.35), (0.6, -0.3), (0.9, 0.1), (0.9, 0.42),
     (-0.9, 0.42)],                                                                # sneaker
    [(-0.8, -0.35), (0.8, -0.35), (0.85, 0.8), (-0.85, 0.8)],                       # bag
    [(-0.9, -0.05), (-0.3, -0.15), (-0.25, -0.9), (0.35, -0.9), (0.4, -0.25),
     (0.9, 0.05), (0.9, 0.5), (-0.9, 0.5)],                                        # ankle boot
]
# Dark lines drawn over the silhouette: coat opening, shirt placket, sandal straps' gaps,
# bag handle (drawn bright, above the bag), sneaker laces.
_DETAILS: list[list[tuple[float, float, float, float]]] = [
    [], [], [(-0.5, 0.7, 0.5, 0.7)], [], [(0.0, -0.68, 0.0, 0.95)],
    [(-0.45, 0.02, -0.45, 0.4), (-0.05, -0.05, -0.05, 0.4), (0.35, -0.15, 0.35, 0.4)],
    [(0.0, -0.5, 0.0, 0.85), (-0.2, 0.1, 0.2, 0.1)], [(0.0, -0.25, 0.35, -0.15)],
    [(-0.4, -0.35, -0.3, -0.75), (-0.3, -0.75, 0.3, -0.75), (0.3, -0.75, 0.4, -0.35)],
    [(-0.25, -0.1, 0.4, -0.05)],
]
_DETAIL_BRIGHT = [False] * 8 + [True, False]   # the bag's handle is part of the object


_GARMENT_POLYS = _pad(_GARMENTS)                                       # (10, P, 2)
_GARMENT_DETAILS = _pad(_DETAILS, empty=(9.0, 9.0, 9.0, 9.0))         # (10, K, 4), off-canvas
FASHION_PARAMS = {"scale": (0.78, 0.95), "rot": 0.08, "shear": 0.1, "shift": 0.05,
                  "aspect": 0.2, "warp": 0.3, "noise": 0.06, "texture": 0.35,
                  "jitter": 0.06, "detail": 0.6}
"""Knobs of the Fashion-MNIST stand-in (tuned by measurement): size, rotation, shear, shift,
aspect, warp, noise, fabric shading, corner jitter, seam darkness."""


def _fashion(labels: torch.Tensor, size: int, gen: torch.Generator) -> torch.Tensor:
    """Garment silhouettes, grey on black: float ``(n, 1, S, S)`` in [0, 1]."""
    p = FASHION_PARAMS
    n = labels.shape[0]
    poly, det = _GARMENT_POLYS[labels], _GARMENT_DETAILS[labels]       # (n, P, 2), (n, K, 4)
    pp, k = poly.shape[1], det.shape[1]
    both = torch.cat([poly, det.view(n, 2 * k, 2)], dim=1)
    both = both + p["jitter"] * torch.randn(both.shape, generator=gen)  # every corner moves
    both = _affine(both, gen, p)
    poly, det = both[:, :pp], both[:, pp:].reshape(n, k, 4)
    body = _inside(poly, size)                                         # (n, S, S)
    line = _strokes(det, size, torch.full((n, 1, 1), 0.8))             # details, ~1.5 px
    bright = torch.tensor(_DETAIL_BRIGHT)[labels].view(n, 1, 1)
    dark = p["detail"] * torch.rand(n, 1, 1, generator=gen)            # how visible the seams are
    body = torch.where(bright, torch.maximum(body, line), body * (1 - dark * line))
    level = 0.35 + 0.6 * torch.rand(n, 1, 1, generator=gen)            # fabric brightness
    fabric = 1 + p["texture"] * _smooth_noise(n, 1, size, 5, gen)[:, 0]  # shading
    stripes = torch.rand(n, 1, 1, generator=gen) < 0.3                 # some are patterned
    xs, ys = _grid(size)
    freq = 6 + 10 * torch.rand(n, 1, 1, generator=gen)
    pattern = 1 - 0.3 * (torch.sin(freq * (ys + 0.3 * xs)) > 0).float()
    fabric = torch.where(stripes, fabric * pattern, fabric)
    img = (body * level * fabric).unsqueeze(1)
    img = img + p["noise"] * torch.randn(n, 1, size, size, generator=gen) * body.unsqueeze(1)
    return img.clamp_(0, 1)


# ---------------------------------------------------------------------------------------------
# CIFAR-10: colour patterns in look-alike pairs


def _pattern(label: int, u: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """Mask (float) of pattern ``label`` in its own coordinates ``u, v`` (radius 1 = size)."""
    au, av = u.abs(), v.abs()
    rad = torch.sqrt(u * u + v * v)
    box = torch.maximum(au, av)
    if label == 0:                                   # disc
        m = rad < 1.0
    elif label == 1:                                 # ring
        m = (rad < 1.0) & (rad > 0.55)
    elif label == 2:                                 # square
        m = box < 0.85
    elif label == 3:                                 # frame (hollow square)
        m = (box < 0.85) & (box > 0.45)
    elif label == 4:                                 # plus
        m = ((au < 0.28) & (av < 1.0)) | ((av < 0.28) & (au < 1.0))
    elif label == 5:                                 # diagonal cross
        m = (((u - v).abs() < 0.38) | ((u + v).abs() < 0.38)) & (rad < 1.05)
    elif label == 6:                                 # horizontal stripes
        m = (box < 0.95) & (torch.sin(v * math.pi * 2.2) > 0)
    elif label == 7:                                 # vertical stripes
        m = (box < 0.95) & (torch.sin(u * math.pi * 2.2) > 0)
    elif label == 8:                                 # checkerboard
        m = (box < 0.95) & (torch.sin(u * math.pi * 1.6) * torch.sin(v * math.pi * 1.6) > 0)
    else:                                            # 9: grid of dots
        m = (box < 0.95) & (torch.cos(u * math.pi * 1.6) * torch.cos(v * math.pi * 1.6) > 0.45)
    return m.float()


def _masks(labels: torch.Tensor, u: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    out = torch.zeros_like(u)
    for label in range(10):
        idx = (labels == label).nonzero(as_tuple=True)[0]
        if idx.numel():
            out[idx] = _pattern(label, u[idx], v[idx])
    return out


# Typical (background, object) RGB colours of each look-alike pair (the object colour is
# used for a share "object_keep" of images; 0 by default: patterns get random colours).
_PAIR_COLOURS = torch.tensor([
    [[0.55, 0.70, 0.90], [0.85, 0.85, 0.80]],      # disc / ring: pale object on sky blue
    [[0.35, 0.50, 0.25], [0.55, 0.40, 0.25]],      # square / frame: brown on green
    [[0.60, 0.55, 0.50], [0.75, 0.15, 0.15]],      # plus / cross: red on grey
    [[0.30, 0.35, 0.55], [0.90, 0.75, 0.35]],      # stripes: yellow on blue
    [[0.50, 0.35, 0.30], [0.35, 0.25, 0.35]],      # checker / dots: dark on brown
])
CIFAR_PARAMS = {"colour_keep": 0.9, "object_keep": 0.0, "colour_jitter": 0.15,
                "radius": (0.35, 0.7), "rot": 0.5, "shift": 0.45, "contrast": (0.03, 0.3),
                "clutter": 0.25, "distractor": 0.8, "noise": 0.04}
"""Knobs of the CIFAR-10 stand-in, tuned with ``benchmarks/standin_vs_real.py``: the share
of images whose background (object) has the pair's typical colour, colour spread, pattern size (radius), rotation
(radians), position range, brightness contrast, background clutter, share of images with a
distractor part, pixel noise."""


def _placement(n: int, size: int, gen: torch.Generator, radius: tuple[float, float],
               rot: float, shift: float) -> tuple[torch.Tensor, torch.Tensor]:
    xs, ys = _grid(size)
    cx = (torch.rand(n, 1, 1, generator=gen) * 2 - 1) * shift
    cy = (torch.rand(n, 1, 1, generator=gen) * 2 - 1) * shift
    r = radius[0] + (radius[1] - radius[0]) * torch.rand(n, 1, 1, generator=gen)
    th = (torch.rand(n, 1, 1, generator=gen) * 2 - 1) * rot
    cos, sin = torch.cos(th), torch.sin(th)
    dx, dy = xs - cx, ys - cy                                          # (n, S, S)
    return (cos * dx + sin * dy) / r, (-sin * dx + cos * dy) / r


def _cifar(labels: torch.Tensor, size: int, gen: torch.Generator) -> torch.Tensor:
    """Colour patterns on cluttered backgrounds: float ``(n, 3, S, S)`` in [0, 1]."""
    p = CIFAR_PARAMS
    n = labels.shape[0]

    def rand(*s: int) -> torch.Tensor:
        return torch.rand(*s, generator=gen)

    # Colours: the pair's typical colours for some images, random ones for the rest.
    typical = _PAIR_COLOURS[labels // 2]                               # (n, 2, 3)
    typical = typical + p["colour_jitter"] * torch.randn(n, 2, 3, generator=gen)
    keep = torch.cat([rand(n, 1, 1) < p["colour_keep"],                # background
                      rand(n, 1, 1) < p["object_keep"]], dim=1).float()  # object: (n, 2, 1)
    colours = (keep * typical + (1 - keep) * rand(n, 2, 3)).clamp(0, 1)
    bg, fg = colours[:, 0].view(n, 3, 1, 1), colours[:, 1].view(n, 3, 1, 1)
    # Keep some brightness contrast between object and background.
    lo, hi = p["contrast"]
    want = lo + (hi - lo) * rand(n, 1, 1, 1)
    gap = fg.mean(1, keepdim=True) - bg.mean(1, keepdim=True)
    push = torch.where(gap >= 0, 1.0, -1.0) * (want - gap.abs()).clamp(min=0) / 2
    fg, bg = (fg + push).clamp(0, 1), (bg - push).clamp(0, 1)

    back = bg + p["clutter"] * _smooth_noise(n, 3, size, 6, gen)       # (n, 3, S, S)
    # A smaller part of another class somewhere, in its own random colour.
    other = (labels + 1 + (rand(n) * 9).long()) % 10
    u, v = _placement(n, size, gen, (0.2, 0.35), math.pi, 0.75)
    dmask = _masks(other, u, v) * (rand(n, 1, 1) < p["distractor"]).float()
    dcol = rand(n, 3, 1, 1)
    back = back * (1 - dmask.unsqueeze(1)) + dcol * dmask.unsqueeze(1)
    u, v = _placement(n, size, gen, p["radius"], p["rot"], p["shift"])
    m = _masks(labels, u, v).unsqueeze(1)                              # (n, 1, S, S)
    img = back * (1 - m) + fg * m
    img = img + p["noise"] * torch.randn(n, 3, size, size, generator=gen)
    return img.clamp_(0, 1)


_RENDER = {"mnist": _mnist, "fashion_mnist": _fashion, "cifar10": _cifar}


def generate(name: str, n: int, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Generate ``n`` images shaped like dataset ``name``.

    Returns ``(images, labels)``: ``images`` is uint8 ``(n, C, H, W)``, ``labels`` int64
    ``(n,)`` with classes balanced to within one image. The same ``(name, n, seed)`` always
    gives the same data.
    """
    name = canonical_name(name)
    whole_number(n, "n", "generate", minimum=0)
    whole_number(seed, "seed", "generate", minimum=0)
    channels, size, _ = SHAPES[name]                                   # square images
    gen = torch.Generator().manual_seed(seed + _SEED_OFFSET[name])
    k = len(STANDIN_CLASSES[name])
    labels = (torch.arange(n) % k)[torch.randperm(n, generator=gen)]  # (n,)
    images = torch.empty(n, channels, size, size, dtype=torch.uint8)
    render = _RENDER[name]
    # Small element-wise ops run fastest on one thread: several threads gain little here
    # and slow down badly when the CPU is shared (a workshop server, a CI runner).
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        for start in range(0, n, _CHUNK):
            part = render(labels[start:start + _CHUNK], size, gen)     # (m, C, H, W)
            images[start:start + _CHUNK] = (part * 255).round_().to(torch.uint8)
    finally:
        torch.set_num_threads(threads)
    return images, labels
