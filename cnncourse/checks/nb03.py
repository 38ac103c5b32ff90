"""Checks for notebook 03 · Convolution: ``from cnncourse.checks import nb03 as check``."""

from __future__ import annotations

import torch
from torch.nn import functional as F

from cnncourse.exercises import Mistake, check, expect_close, expect_tensor
from cnncourse.solutions import nb03 as solutions

# A lopsided kernel: flipping or transposing it changes the result, so those slips show.
_KERNEL = torch.tensor([[1.0, 2.0, 0.0],
                        [0.0, -1.0, 3.0],
                        [-2.0, 0.0, 1.0]])


def _size(n: int, k: int, p: int, s: int) -> int:
    return (n + 2 * p - k) // s + 1


def _shape_mistake(got: tuple, h: int, w: int, k: int, p: int, s: int) -> Mistake | None:
    """Explain a wrong output shape of a 2-D conv, or return None when the shape is right."""
    want = (_size(h, k, p, s), _size(w, k, p, s))
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
    if tuple(got) == (_size(h, k, 0, s), _size(w, k, 0, s)) and p > 0:
        hint = ("padding was ignored: pad the image with p zeros on every side first, e.g. "
                "F.pad(image, (p, p, p, p)).")
    elif tuple(got) == (_size(h, k, p, 1), _size(w, k, p, 1)) and s > 1:
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


@check(reference=solutions.conv2d_single)
def conv2d_single(fn):
    """Matches F.conv2d on one channel across padding and stride, for a lopsided kernel."""
    g = torch.Generator().manual_seed(3)
    cases = [((6, 7), 0, 1), ((32, 32), 1, 1), ((7, 9), 0, 2), ((6, 6), 1, 2)]
    for (h, w), p, s in cases:
        image = torch.randn(h, w, generator=g)
        out = fn(image.clone(), _KERNEL.clone(), padding=p, stride=s)
        if not isinstance(out, torch.Tensor):
            raise Mistake(f"return a torch.Tensor, got {type(out).__name__}.")
        wrong = _shape_mistake(tuple(out.shape), h, w, 3, p, s)
        if wrong is not None:
            raise wrong
        expected = F.conv2d(image[None, None], _KERNEL[None, None], padding=p, stride=s)[0, 0]
        if torch.allclose(out.float(), expected, atol=1e-4):
            continue
        flipped = F.conv2d(image[None, None], _KERNEL.flip(0, 1)[None, None],
                           padding=p, stride=s)[0, 0]
        if torch.allclose(out.float(), flipped, atol=1e-4):
            raise Mistake("your values equal a TRUE convolution (kernel flipped). PyTorch's "
                          "conv2d is cross-correlation: multiply each window by the kernel "
                          "as it is, without flipping.")
        transposed = F.conv2d(image[None, None], _KERNEL.T[None, None],
                              padding=p, stride=s)[0, 0]
        if torch.allclose(out.float(), transposed, atol=1e-4):
            raise Mistake("rows and columns are mixed up: the window at output (i, j) starts "
                          "at row i*stride and column j*stride and is multiplied by "
                          "kernel[row, col], not kernel[col, row].")
        expect_close(out.float(), expected, what=f"conv2d_single on a {h}x{w} image with "
                     f"padding={p}, stride={s}", atol=1e-4,
                     hint="Each output is the SUM of window * kernel over the window.")


@check(reference=solutions.conv_output_size)
def conv_output_size(fn):
    """The output-size formula on typical and edge cases, including stride rounding down."""
    cases = [(32, 3, 0, 1), (32, 3, 1, 1), (32, 5, 2, 1), (32, 3, 1, 2), (7, 3, 0, 2),
             (28, 5, 0, 1), (5, 2, 0, 2), (224, 7, 3, 2), (8, 1, 0, 1)]
    for n, k, p, s in cases:
        got = fn(n, k, padding=p, stride=s)
        want = _size(n, k, p, s)
        setting = f"conv_output_size({n}, {k}, padding={p}, stride={s})"
        if isinstance(got, float):
            raise Mistake(f"{setting} returned the float {got}; sizes are whole numbers. "
                          "Use floor division //, which drops a last window that would not "
                          "fit.")
        if isinstance(got, torch.Tensor) and got.numel() == 1:
            got = got.item()
        if isinstance(got, bool) or not isinstance(got, int):
            raise Mistake(f"{setting} should return an int, got {type(got).__name__}.")
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
    if fn(32, 3) != 30:
        raise Mistake("conv_output_size(32, 3) should use the defaults padding=0, stride=1 "
                      f"and give 30, got {fn(32, 3)}.")


@check(reference=solutions.conv2d_multi)
def conv2d_multi(fn):
    """Matches F.conv2d with several input and output channels, bias, padding and stride."""
    g = torch.Generator().manual_seed(5)
    cases = [(2, 3, (5, 6), 1, 1), (2, 2, (6, 7), 0, 2), (3, 4, (4, 4), 0, 1)]
    for c_in, c_out, (h, w), p, s in cases:
        x = torch.randn(c_in, h, w, generator=g)
        weight = torch.randn(c_out, c_in, 3, 3, generator=g)
        bias = torch.randn(c_out, generator=g)
        out = fn(x.clone(), weight.clone(), bias.clone(), padding=p, stride=s)
        if isinstance(out, (list, tuple)):
            raise Mistake("you returned a Python list of output channels; stack them into one "
                          "tensor with torch.stack(outputs), shape (C_out, H_out, W_out).")
        if not isinstance(out, torch.Tensor):
            raise Mistake(f"return a torch.Tensor, got {type(out).__name__}.")
        want = (c_out, _size(h, 3, p, s), _size(w, 3, p, s))
        if out.dim() == 4 and tuple(out.shape) == (c_out, c_in, *want[1:]):
            raise Mistake(f"the output is {tuple(out.shape)}: one map per (output, input) "
                          "channel pair. Each output channel is the SUM over the input "
                          f"channels, so the shape should be {want}.")
        if out.dim() == 3 and out.shape[0] == c_out:
            wrong = _shape_mistake(tuple(out.shape[1:]), h, w, 3, p, s)
            if wrong is not None:
                raise wrong
        expect_tensor(out, want, what=f"conv2d_multi with C_in={c_in}, C_out={c_out}")
        expected = F.conv2d(x[None], weight, bias, padding=p, stride=s)[0]
        if torch.allclose(out.float(), expected, atol=1e-4):
            continue
        no_bias = F.conv2d(x[None], weight, None, padding=p, stride=s)[0]
        if torch.allclose(out.float(), no_bias, atol=1e-4):
            raise Mistake("everything matches except the bias: add bias[o] to output "
                          "channel o (once, after summing over the input channels).")
        if torch.allclose(out.float(), no_bias / c_in + bias[:, None, None], atol=1e-4):
            raise Mistake("you AVERAGED over the input channels; a conv layer SUMS the "
                          "per-channel results.")
        if torch.allclose(out.float(), no_bias + c_in * bias[:, None, None], atol=1e-4):
            raise Mistake(f"the bias was added {c_in} times, once per input channel; add it "
                          "once per output channel, after the sum.")
        if c_in == c_out:
            swapped = F.conv2d(x[None], weight.transpose(0, 1), bias, padding=p, stride=s)[0]
            if torch.allclose(out.float(), swapped, atol=1e-4):
                raise Mistake("you indexed the weights as weight[c_in, c_out]; the layout is "
                              "(C_out, C_in, k, k), so output channel o, input channel c uses "
                              "weight[o, c].")
        expect_close(out.float(), expected, what=f"conv2d_multi with C_in={c_in}, "
                     f"C_out={c_out}", atol=1e-4)


@check(reference=solutions.conv_param_count)
def conv_param_count(fn):
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
