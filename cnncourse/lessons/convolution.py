"""Lesson 03 · Convolution: the reference solutions (``cnncourse.conv_reference``), their checks,
and the quizzes."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from cnncourse.conv_reference import (  # the reference solutions
    conv2d_multi,
    conv2d_single,
    conv_output_size,
    conv_param_count,
)
from cnncourse.course.exercises import Checks, Mistake, expect_close, expect_size, expect_tensor
from cnncourse.course.quiz import Quizzes

check = Checks("convolution")
quiz = Quizzes("convolution")


# Reference solutions ------------------------------------------------------------------------------
# conv_output_size, conv2d_single, conv2d_multi and conv_param_count: imported above from
# cnncourse/conv_reference.py (the toolkit), so the checked versions in cnncourse.conv
# use them without importing a lesson; `cnncourse-instructor notebooks --solved` copies their source.


# Checks -------------------------------------------------------------------------------------------

# A lopsided kernel: flipping or transposing it changes the result, so those slips show.
_KERNEL = torch.tensor([[1.0, 2.0, 0.0],
                        [0.0, -1.0, 3.0],
                        [-2.0, 0.0, 1.0]])


def _shape_mistake(got: tuple, h: int, w: int, k: int, p: int, s: int) -> Mistake | None:
    """Explain a wrong output shape of a 2-D conv, or return None when the shape is right."""
    want = (conv_output_size(h, k, p, s), conv_output_size(w, k, p, s))
    if tuple(got) == want:
        return None
    setting = f"a {h}x{w} input, a {k}x{k} kernel, padding={p}, stride={s}"
    if len(got) != 2:
        return Mistake(f"the output has shape {tuple(got)}; for {setting} it should be the "
                       f"2-D shape {want}.")
    message = f"output is {got[0]}x{got[1]}; "
    if p > 0 and want == (h, w):
        message += f"with padding={p} it should stay {h}x{w}"
    else:
        message += f"for {setting} it should be {want[0]}x{want[1]}"
    if tuple(got) == (conv_output_size(h, k, 0, s), conv_output_size(w, k, 0, s)) and p > 0:
        hint = ("padding was ignored: pad the image with p zeros on every side first, e.g. "
                "F.pad(image, (p, p, p, p)).")
    elif tuple(got) == (conv_output_size(h, k, p, 1), conv_output_size(w, k, p, 1)) and s > 1:
        hint = "stride was ignored: move the window s pixels at a time (row i*s, column j*s)."
    elif tuple(got) == (want[0] - 1, want[1] - 1):
        hint = ("off by one: the last window starts at index H + 2p - k, so there are "
                "(H + 2p - k) // s + 1 positions per axis, e.g. range(H - k + 1) without "
                "padding.")
    elif tuple(got) == (want[1], want[0]):
        hint = "height and width are swapped."
    else:
        hint = "use the formula (size + 2*padding - kernel_size) // stride + 1 for each axis."
    return Mistake(f"{message} ({hint})")


_CONV_SHORTCUTS = ("torch.nn.functional.conv2d", "torch.conv2d", "torch.convolution",
                   "torch.nn.Conv2d")


@check.of(conv2d_single, forbid=_CONV_SHORTCUTS)
def check_conv2d_single(fn):
    """Matches F.conv2d on one channel across padding and stride, for a lopsided kernel.

    The answer runs while F.conv2d, torch.conv2d and nn.Conv2d raise: the exercise is to
    write the multiply-and-sum yourself.
    """
    g = torch.Generator().manual_seed(3)
    cases = [((6, 7), 0, 1), ((32, 32), 1, 1), ((7, 9), 0, 2), ((6, 6), 1, 2)]
    for (h, w), p, s in cases:
        image = torch.randn(h, w, generator=g)
        x = image[None, None]                                       # (1, 1, H, W)
        expected = F.conv2d(x, _KERNEL[None, None], padding=p, stride=s)[0, 0]
        flipped = F.conv2d(x, _KERNEL.flip(0, 1)[None, None], padding=p, stride=s)[0, 0]
        transposed = F.conv2d(x, _KERNEL.T[None, None], padding=p, stride=s)[0, 0]
        # A loop that sizes the output with the stride but slides the window one pixel at a
        # time (padded[i:i + k] instead of padded[i*s:i*s + k]) gives the stride-1 map's corner
        # (for stride 1 that is the right answer, so this slip cannot match then).
        unstrided = F.conv2d(x, _KERNEL[None, None], padding=p)[0, 0][:expected.shape[0],
                                                                      :expected.shape[1]]
        out = fn(image.clone(), _KERNEL.clone(), padding=p, stride=s)
        expect_tensor(out)
        wrong = _shape_mistake(tuple(out.shape), h, w, 3, p, s)
        if wrong is not None:
            raise wrong
        slips = [(flipped, "your values equal a TRUE convolution (kernel flipped). PyTorch's "
                           "conv2d is cross-correlation: multiply each window by the kernel "
                           "as it is, without flipping."),
                 (transposed, "rows and columns are mixed up: the window at output (i, j) "
                              "starts at row i*stride and column j*stride and is multiplied by "
                              "kernel[row, col], not kernel[col, row]."),
                 (unstrided, f"with stride={s} the output size is right, but your windows "
                             "move one pixel at a time: the window for output (i, j) must "
                             "start at row i*stride and column j*stride of the padded image, "
                             "e.g. padded[i*stride : i*stride + kH, j*stride : j*stride + kW].")]
        expect_close(out, expected, f"conv2d_single on a {h}x{w} image with padding={p}, "
                     f"stride={s}", hint="Each output is the SUM of window * kernel over the "
                     "window.", mistakes=slips)


@check.of(conv_output_size)
def check_conv_output_size(fn):
    """The output-size formula on typical and edge cases, including stride rounding down."""
    cases = [(32, 3, 0, 1), (32, 3, 1, 1), (32, 5, 2, 1), (32, 3, 1, 2), (7, 3, 0, 2),
             (28, 5, 0, 1), (5, 2, 0, 2), (224, 7, 3, 2), (8, 1, 0, 1)]
    for n, k, p, s in cases:
        setting = f"conv_output_size({n}, {k}, padding={p}, stride={s})"
        got = expect_size(fn(n, k, padding=p, stride=s), setting)
        want = conv_output_size(n, k, p, s)
        if got == want:
            continue
        if p > 0 and got == (n + p - k) // s + 1:
            hint = "padding goes on BOTH sides: add 2 * padding."
        elif got == (n + 2 * p - k) // s:
            hint = "you forgot the + 1 (the first window sits at position 0)."
        elif got == n + 2 * p - k + 1 and s > 1:
            hint = "you ignored the stride: divide by it before adding 1."
        elif got == -(-(n + 2 * p - k) // s) + 1:
            hint = "you rounded up; round down with //, a window that sticks out is dropped."
        elif got == n - k + 1 and p > 0:
            hint = "you ignored the padding."
        else:
            hint = "the formula is (size + 2*padding - kernel_size) // stride + 1."
        raise Mistake(f"{setting} returned {got}; it should be {want}. {hint}")
    for n, k, p, s in [(32, 5, 2, 1), (7, 3, 0, 2)]:    # the notebook passes all four in order
        got = expect_size(fn(n, k, p, s), f"conv_output_size({n}, {k}, {p}, {s})")
        want = conv_output_size(n, k, p, s)
        if got != want:
            raise Mistake(f"conv_output_size({n}, {k}, {p}, {s}) returned {got}; it should be "
                          f"{want}. Keep the parameters in the order (size, kernel_size, "
                          "padding=0, stride=1): later cells pass them by position.")
    if fn(32, 3) != 30:
        raise Mistake("conv_output_size(32, 3) should use the defaults padding=0, stride=1 "
                      f"and give 30, got {fn(32, 3)}.")


@check.of(conv2d_multi, forbid=_CONV_SHORTCUTS)
def check_conv2d_multi(fn):
    """Matches F.conv2d with several input and output channels, bias, padding and stride.

    Like conv2d_single, the answer runs while F.conv2d, torch.conv2d and nn.Conv2d raise.
    """
    g = torch.Generator().manual_seed(5)
    cases = [(2, 3, (5, 6), 1, 1), (2, 2, (6, 7), 0, 2), (3, 4, (4, 4), 0, 1)]
    for c_in, c_out, (h, w), p, s in cases:
        x = torch.randn(c_in, h, w, generator=g)
        weight = torch.randn(c_out, c_in, 3, 3, generator=g)
        bias = torch.randn(c_out, generator=g)
        expected = F.conv2d(x[None], weight, bias, padding=p, stride=s)[0]
        no_bias = F.conv2d(x[None], weight, None, padding=p, stride=s)[0]
        swapped = (F.conv2d(x[None], weight.transpose(0, 1), bias, padding=p, stride=s)[0]
                   if c_in == c_out else expected)   # (a square layout only)
        out = fn(x.clone(), weight.clone(), bias.clone(), padding=p, stride=s)
        if isinstance(out, (list, tuple)):
            raise Mistake("you returned a Python list of output channels; stack them into one "
                          "tensor with torch.stack(outputs), shape (C_out, H_out, W_out).")
        expect_tensor(out)
        want = (c_out, conv_output_size(h, 3, p, s), conv_output_size(w, 3, p, s))
        if out.dim() == 4 and tuple(out.shape) == (c_out, c_in, *want[1:]):
            raise Mistake(f"the output is {tuple(out.shape)}: one map per (output, input) "
                          "channel pair. Each output channel is the SUM over the input "
                          f"channels, so the shape should be {want}.")
        if out.dim() == 3 and out.shape[0] == c_out:
            wrong = _shape_mistake(tuple(out.shape[1:]), h, w, 3, p, s)
            if wrong is not None:
                raise wrong
        per_channel = bias[:, None, None]
        slips = [(no_bias, "everything matches except the bias: add bias[o] to output "
                           "channel o (once, after summing over the input channels)."),
                 (no_bias / c_in + per_channel, "you AVERAGED over the input channels; a conv "
                                                "layer SUMS the per-channel results."),
                 (no_bias + c_in * per_channel, f"the bias was added {c_in} times, once per "
                                                "input channel; add it once per output "
                                                "channel, after the sum."),
                 (swapped, "you indexed the weights as weight[c_in, c_out]; the layout is "
                           "(C_out, C_in, k, k), so output channel o, input channel c uses "
                           "weight[o, c].")]
        expect_close(out, expected, f"conv2d_multi with C_in={c_in}, C_out={c_out}",
                     mistakes=slips)


@check.of(conv_param_count)
def check_conv_param_count(fn):
    """Parameter counts that must agree with nn.Conv2d, with and without bias."""
    from torch import nn

    cases = [(3, 16, 3, True), (16, 32, 3, True), (1, 1, 5, False), (64, 128, 1, True),
             (3, 8, 5, False)]
    for c_in, c_out, k, bias in cases:
        got = fn(c_in, c_out, k, bias=bias)
        want = sum(p.numel() for p in nn.Conv2d(c_in, c_out, k, bias=bias).parameters())
        if got == want:
            continue
        setting = f"conv_param_count({c_in}, {c_out}, {k}, bias={bias})"
        weights = c_out * c_in * k * k
        if bias and got == weights:
            hint = "you forgot the biases: one per output channel."
        elif not bias and got == weights + c_out:
            hint = "with bias=False there are no biases to count."
        elif got == c_out * k * k + (c_out if bias else 0):
            hint = ("each filter spans ALL input channels: it has in_channels * k * k "
                    "weights, not k * k.")
        elif got == c_out * c_in * k + (c_out if bias else 0):
            hint = "a k x k kernel has k * k weights, not k."
        elif bias and got == c_out * c_in * (k * k + 1):
            hint = "there is one bias per output channel, not one per (input, output) pair."
        else:
            hint = "weights: out * in * k * k; biases: out (when bias=True)."
        raise Mistake(f"{setting} returned {got}; nn.Conv2d has {want}. {hint}")
