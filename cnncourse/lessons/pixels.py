"""Lesson 01 · Pixels as numbers: the reference solutions, their checks, and the quizzes."""

from __future__ import annotations

from collections.abc import Sequence

import torch

from cnncourse.course.exercises import Checks, Mistake, expect_close, expect_tensor, photo_like
from cnncourse.course.quiz import Quizzes

check = Checks("pixels")
quiz = Quizzes("pixels")


# Reference solutions ------------------------------------------------------------------------------

def to_chw_float(image: torch.Tensor) -> torch.Tensor:
    """A uint8 image (H, W, C) with values 0..255 -> float32 (C, H, W) with values in [0, 1]."""
    x = torch.as_tensor(image)         # (H, W, C) uint8
    x = x.permute(2, 0, 1)             # (C, H, W): move channels first, keep pixels in place
    return x.float() / 255.0           # float32 in [0, 1]


def normalize(x: torch.Tensor, mean: Sequence[float], std: Sequence[float]) -> torch.Tensor:
    """Per-channel ``(x - mean) / std`` for ``x`` of shape (C, H, W) or (N, C, H, W)."""
    mean_t = torch.as_tensor(mean, dtype=x.dtype).reshape(-1, 1, 1)  # (C, 1, 1)
    std_t = torch.as_tensor(std, dtype=x.dtype).reshape(-1, 1, 1)    # (C, 1, 1)
    return (x - mean_t) / std_t        # broadcasts over H and W (and N)


# Checks -------------------------------------------------------------------------------------------

@check.of(to_chw_float)
def check_to_chw_float(fn):
    """uint8 (H, W, C) -> float32 (C, H, W) in [0, 1], checked on a non-square RGB image."""
    image = photo_like(4, 6)                      # H=4, W=6: swapped axes show up in the shape
    original = image.clone()
    out = fn(image)
    if not torch.equal(image, original):
        raise Mistake("your function changed the input image in place; work on a copy "
                      "(permute and .float() already give you a new tensor).")
    expect_tensor(out)
    if tuple(out.shape) == (4, 6, 3):
        raise Mistake("the output is still (H, W, C) = (4, 6, 3); PyTorch wants channels "
                      "first: (C, H, W) = (3, 4, 6). Use image.permute(2, 0, 1).")
    if tuple(out.shape) == (3, 6, 4):
        raise Mistake("the output is (3, 6, 4): height and width are swapped. "
                      "permute(2, 1, 0) reverses all axes; use permute(2, 0, 1) to move "
                      "only the channel axis to the front.")
    expect_tensor(out, (3, 4, 6), what="to_chw_float(image)")
    if out.dtype in (torch.uint8, torch.int32, torch.int64):
        raise Mistake(f"the output dtype is {out.dtype}; networks need floats. Convert with "
                      ".float() before dividing (integer division turns most pixels into 0).")
    if out.dtype != torch.float32:
        raise Mistake(f"the output dtype is {out.dtype}; use .float() for float32, the dtype "
                      "PyTorch layers expect (float64 is twice the memory and mismatches "
                      "the model's weights).")
    if out.max() > 1.5:
        raise Mistake(f"values go up to {out.max().item():.0f}; divide by 255 so they lie "
                      "in [0, 1].")
    scrambled = (image.float() / 255).reshape(3, 4, 6)
    expect_close(out, to_chw_float(image), "to_chw_float(image)", atol=1e-6,
                 hint="Each value should be the pixel divided by 255.",
                 mistakes=[(scrambled, "the shape is right but the pixels are scrambled: "
                            "reshape/view only re-reads the numbers in memory order, it does "
                            "not move axes. Use permute(2, 0, 1).")])
    gray = fn(photo_like(2, 3, c=1, seed=1))
    expect_tensor(gray, (1, 2, 3), what="to_chw_float on a one-channel (2, 3, 1) image")


STATS_SHAPE = ("the shapes did not broadcast: mean and std have shape (3,), which lines up "
               "with the LAST axis (width). Reshape them to (C, 1, 1), e.g. "
               "torch.tensor(mean).reshape(-1, 1, 1).")
"""The message for per-channel statistics that do not broadcast (also used by notebook 11)."""


@check.of(normalize, forbid=("torchvision.transforms.functional.normalize",
                             "torchvision.transforms._functional_tensor.normalize",
                             "torchvision.transforms.v2.functional.normalize",
                             "torchvision.transforms.v2.functional.normalize_image",
                             "torchvision.transforms.Normalize",
                             "torchvision.transforms.v2.Normalize"),
          why="The exercise is to write the per-channel (x - mean) / std yourself, shaping "
              "mean and std (C, 1, 1) so they broadcast.",
          causes=[(("must match the size",), STATS_SHAPE),
                  # a v2.Normalize built before the check runs finds its kernel switched off
                  (("No kernel registered for functional normalize",),
                   "torchvision's Normalize does the whole job for you (and is switched off "
                   "during this check): write the per-channel (x - mean) / std yourself.")])
def check_normalize(fn):
    """Per-channel (x - mean) / std on (C, H, W), including an image as wide as it has channels."""
    g = torch.Generator().manual_seed(0)
    mean, std = [0.5, 0.4, 0.3], [0.2, 0.25, 0.5]
    m, s = torch.tensor(mean).reshape(-1, 1, 1), torch.tensor(std).reshape(-1, 1, 1)
    # Case 1: width 5 != 3 channels, so stats lined up with the wrong axis fail to broadcast.
    x = torch.rand(3, 4, 5, generator=g)
    original = x.clone()
    out = fn(x, mean, std)
    if not torch.equal(x, original):
        raise Mistake("your function changed x in place (sub_/div_ or -=); return a new "
                      "tensor so the original image stays untouched.")
    slips = [(x - m / s, "you computed x - mean / std; division binds tighter than "
                         "subtraction, so write (x - mean) / std."),
             ((x - m) * s, "you multiplied by std; divide by it: (x - mean) / std."),
             ((x - x.mean()) / x.std(), "you used this image's own mean and std; use the mean "
                                        "and std you were given (the dataset's statistics), "
                                        "one per channel."),
             (x - m, "you subtracted the mean but did not divide by std.")]
    expect_close(out, normalize(x, mean, std), "normalize(x, mean, std)", atol=1e-5,
                 mistakes=slips)
    # Case 2: width 3 == channels. Stats broadcast silently along the width if misaligned.
    y = torch.rand(3, 2, 3, generator=g)
    wrong_axis = (y - torch.tensor(mean)) / torch.tensor(std)
    expect_close(fn(y, mean, std), normalize(y, mean, std), "normalize on a (3, 2, 3) image",
                 atol=1e-5, mistakes=[(wrong_axis, "channel 0 was not normalised with mean[0]: "
                                      "the stats lined up with the width axis. Reshape mean "
                                      "and std to (C, 1, 1).")])
    # Case 3: a batch (N, C, H, W) works the same way.
    batch = torch.rand(2, 3, 2, 2, generator=g)
    expect_close(fn(batch, mean, std), normalize(batch, mean, std),
                 what="normalize on a batch (2, 3, 2, 2)", atol=1e-5,
                 hint="Shape mean and std (C, 1, 1) so they broadcast over N, H and W.")
