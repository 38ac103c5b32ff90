"""Checks for notebook 10 · Production patterns: ``from cnncourse.checks import nb10 as check``."""

from __future__ import annotations

import torch

from cnncourse.exercises import Mistake, check, expect_close, expect_tensor
from cnncourse.solutions import nb10 as solutions

_MEAN, _STD = (0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616)


@check(reference=solutions.prepare_image)
def prepare_image(fn):
    """uint8 HWC in, normalised float (1, C, H, W) out, exactly like the training data."""
    g = torch.Generator().manual_seed(10)
    image = torch.randint(0, 256, (6, 5, 3), generator=g, dtype=torch.uint8)
    got = fn(image.clone(), _MEAN, _STD)
    want = solutions.prepare_image(image, _MEAN, _STD)
    if not isinstance(got, torch.Tensor):
        raise Mistake(f"return a torch.Tensor, got {type(got).__name__}.")
    if tuple(got.shape) == (3, 6, 5):
        raise Mistake("the shape is (3, 6, 5): add the batch dimension with .unsqueeze(0); a "
                      "model always expects (N, C, H, W), even for one image.")
    if tuple(got.shape) in {(1, 6, 5, 3), (6, 5, 3)}:
        raise Mistake(f"the shape is {tuple(got.shape)}: images from files are (H, W, C); "
                      "PyTorch wants channels first, so .permute(2, 0, 1).")
    expect_tensor(got, (1, 3, 6, 5), what="prepare_image(image, mean, std)")
    if not got.is_floating_point():
        raise Mistake("the result is still an integer tensor: convert with .float() / 255.")
    if torch.allclose(got, want, atol=1e-4):
        return "same scaling, normalisation and layout as the training data."
    x = image.permute(2, 0, 1).float()
    mean, std = torch.tensor(_MEAN).view(3, 1, 1), torch.tensor(_STD).view(3, 1, 1)
    if torch.allclose(got[0], (x - mean) / std, atol=1e-3):
        raise Mistake("the pixels were not scaled to [0, 1] first: divide by 255 before "
                      "subtracting the mean (the mean and std are for [0, 1] pixels).")
    if torch.allclose(got[0], x / 255, atol=1e-4):
        raise Mistake("the pixels are in [0, 1] but not normalised: subtract the mean and "
                      "divide by the std, per channel, like the training data.")
    if torch.allclose(got[0], (x / 255 - 0.5) / 0.5, atol=1e-4):
        raise Mistake("you used mean 0.5 and std 0.5; use the mean and std the model was "
                      "trained with (the ones passed in).")
    expect_close(got, want, what="prepare_image(image, mean, std)", atol=1e-4)
    return None


@check(reference=solutions.one_hot_sequence)
def one_hot_sequence(fn):
    """A (1, V, L) float one-hot, channels first, for nn.Conv1d."""
    tokens = torch.tensor([2, 0, 3, 3, 1, 4, 0])
    got = fn(tokens.clone(), 5)
    if not isinstance(got, torch.Tensor):
        raise Mistake(f"return a torch.Tensor, got {type(got).__name__}.")
    if tuple(got.shape) == (1, 7, 5):
        raise Mistake("the shape is (1, L, V) = (1, 7, 5). nn.Conv1d wants channels first, "
                      "(N, C, L): the vocabulary is the channel axis, so transpose to "
                      "(1, 5, 7).")
    if tuple(got.shape) in {(5, 7), (7, 5)}:
        raise Mistake(f"the shape is {tuple(got.shape)}: add the batch dimension, "
                      "(1, vocab_size, length).")
    expect_tensor(got, (1, 5, 7), what="one_hot_sequence(tokens, 5)")
    if not got.is_floating_point():
        raise Mistake(f"the dtype is {got.dtype}; conv weights are float, so convert with "
                      ".float().")
    expect_close(got, solutions.one_hot_sequence(tokens, 5), what="one_hot_sequence",
                 hint="Column t should be 1 at row tokens[t] and 0 elsewhere.")
    return "channels-first one-hot, ready for nn.Conv1d."
