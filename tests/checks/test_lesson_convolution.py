"""Lesson 03 (convolution): each check accepts its reference and names the mistake in realistic wrong answers."""

import pytest
import torch
import torch.nn.functional as F
from checkhelpers import wrong
from torch import nn

from cnncourse.course.exercises import CORRECT
from cnncourse.lessons.convolution import check


def _loop_conv(image, kernel, padding=0, stride=1, flip=False, extra=1, transpose=False,
               use_padding=True, use_stride=True, slide_by_one=False):
    """A learner's loop conv with switchable slips."""
    k = kernel.flip(0, 1) if flip else kernel
    k = k.T if transpose else k
    p = padding if use_padding else 0
    s = stride if use_stride else 1
    x = F.pad(image, (p, p, p, p))
    kh, kw = k.shape
    h_out = (x.shape[0] - kh) // s + extra
    w_out = (x.shape[1] - kw) // s + extra
    step = 1 if slide_by_one else s      # slide_by_one: right size, but windows at i, not i*s
    out = torch.zeros(h_out, w_out)
    for i in range(h_out):
        for j in range(w_out):
            out[i, j] = (x[i * step:i * step + kh, j * step:j * step + kw] * k).sum()
    return out


def test_conv2d_single_mistakes():
    c = check.conv2d_single
    assert c.verdict(_loop_conv).status == CORRECT
    wrong(c, lambda im, k, padding=0, stride=1: _loop_conv(im, k, padding, stride, flip=True),
          "TRUE convolution", "without flipping")
    wrong(c, lambda im, k, padding=0, stride=1: _loop_conv(im, k, padding, stride, extra=0),
          "output is 3x4", "it should be 4x5", "off by one")
    wrong(c, lambda im, k, padding=0, stride=1: _loop_conv(im, k, padding, stride,
                                                           use_padding=False),
          "output is 30x30; with padding=1 it should stay 32x32", "padding was ignored")
    wrong(c, lambda im, k, padding=0, stride=1: _loop_conv(im, k, padding, stride,
                                                           use_stride=False),
          "stride was ignored")
    wrong(c, lambda im, k, padding=0, stride=1: _loop_conv(im, k, padding, stride,
                                                           transpose=True),
          "kernel[row, col]")


def test_conv2d_single_names_the_stride_when_windows_slide_one_pixel_at_a_time():
    # The output size uses the stride, the slicing does not: the shape is right, the values
    # are the stride-1 map's corner. The message must point at the stride, not be generic.
    wrong(check.conv2d_single,
          lambda im, k, padding=0, stride=1: _loop_conv(im, k, padding, stride,
                                                        slide_by_one=True),
          "stride=2", "one pixel at a time", "i*stride")


def _by_builtin(kind):
    """conv2d_single answered by a built-in that does the whole job."""
    def answer(image, kernel, padding=0, stride=1):
        x, w = image[None, None], kernel[None, None]
        if kind == "F.conv2d":
            return F.conv2d(x, w, padding=padding, stride=stride)[0, 0]
        if kind == "torch.conv2d":
            return torch.conv2d(x, w, padding=padding, stride=stride)[0, 0]
        if kind == "torch.nn.functional.conv2d":
            return torch.nn.functional.conv2d(x, w, padding=padding, stride=stride)[0, 0]
        if kind == "torch.convolution":
            return torch.convolution(x, w, None, [stride] * 2, [padding] * 2, [1, 1], False,
                                     [0, 0], 1)[0, 0]
        layer = nn.Conv2d(1, 1, kernel.shape[0], padding=padding, stride=stride, bias=False)
        with torch.no_grad():
            layer.weight.copy_(w)
        return layer(x)[0, 0].detach()
    return answer


@pytest.mark.parametrize("kind, named", [("F.conv2d", "F.conv2d"),
                                         ("torch.conv2d", "torch.conv2d"),
                                         ("torch.nn.functional.conv2d", "F.conv2d"),
                                         ("torch.convolution", "torch.convolution"),
                                         ("nn.Conv2d", "torch.nn.Conv2d")])
def test_conv2d_single_rejects_the_builtin_convolutions(kind, named):
    wrong(check.conv2d_single, _by_builtin(kind), f"you called {named}", "whole job")
    # The built-ins work again after the check (forbid restores them).
    x = torch.randn(1, 1, 5, 5)
    assert F.conv2d(x, torch.ones(1, 1, 3, 3)).shape == (1, 1, 3, 3)
    assert isinstance(nn.Conv2d(1, 1, 3), nn.Module)


def test_conv2d_multi_rejects_f_conv2d():
    def shortcut(x, weight, bias=None, padding=0, stride=1):
        return F.conv2d(x[None], weight, bias, padding=padding, stride=stride)[0]

    wrong(check.conv2d_multi, shortcut, "you called F.conv2d")


def test_conv_output_size_mistakes():
    c = check.conv_output_size
    # right by keyword, wrong by position: notebook 03 calls conv_output_size(size, k, p, s)
    wrong(c, lambda size, kernel_size, stride=1, padding=0:
          (size + 2 * padding - kernel_size) // stride + 1, "later cells pass them by position")
    wrong(c, lambda n, k, padding=0, stride=1: (n + 2 * padding - k) // stride, "forgot the + 1")
    wrong(c, lambda n, k, padding=0, stride=1: (n + padding - k) // stride + 1, "BOTH sides")
    wrong(c, lambda n, k, padding=0, stride=1: (n + 2 * padding - k) / stride + 1,
          "returned the float", "//")
    wrong(c, lambda n, k, padding=0, stride=1: n + 2 * padding - k + 1, "ignored the stride")
    wrong(c, lambda n, k, padding=0, stride=1: n - k + 1, "ignored the padding")


def _multi(x, weight, bias, padding=0, stride=1, *, use_bias=True, mean=False, swap=False,
           bias_each=False, stack=True):
    """A learner's multi-channel conv with switchable slips."""
    outs = []
    for o in range(weight.shape[0]):
        total = 0
        for c in range(x.shape[0]):
            w = weight[c, o] if swap else weight[o, c]
            total = total + _loop_conv(x[c], w, padding, stride)
            if bias_each:
                total = total + bias[o]
        if mean:
            total = total / x.shape[0]
        if use_bias and not bias_each:
            total = total + bias[o]
        outs.append(total)
    return torch.stack(outs) if stack else outs


def test_conv2d_multi_mistakes():
    c = check.conv2d_multi
    assert c.verdict(_multi).status == CORRECT
    wrong(c, lambda *a, **k: _multi(*a, **k, use_bias=False), "except the bias")
    wrong(c, lambda *a, **k: _multi(*a, **k, mean=True), "AVERAGED")
    wrong(c, lambda *a, **k: _multi(*a, **k, bias_each=True), "added 2 times")
    wrong(c, lambda *a, **k: _multi(*a, **k, stack=False), "torch.stack")

    def per_pair(x, weight, bias, padding=0, stride=1):  # forgot to sum over input channels
        return torch.stack([torch.stack([_loop_conv(x[ci], weight[o, ci], padding, stride)
                                         for ci in range(x.shape[0])])
                            for o in range(weight.shape[0])])

    wrong(c, per_pair, "SUM over the input")

    def swapped(x, weight, bias, padding=0, stride=1):  # crashes when C_in != C_out...
        if x.shape[0] != weight.shape[0]:
            return _multi(x, weight, bias, padding, stride)
        return _multi(x, weight, bias, padding, stride, swap=True)   # ...so only sure cases

    wrong(c, swapped, "weight[o, c]")


def test_conv_param_count_mistakes():
    c = check.conv_param_count
    wrong(c, lambda i, o, k, bias=True: o * i * k * k, "forgot the biases")
    wrong(c, lambda i, o, k, bias=True: o * i * k * k + o, "bias=False")
    wrong(c, lambda i, o, k, bias=True: o * k * k + (o if bias else 0), "ALL input channels")
    wrong(c, lambda i, o, k, bias=True: o * i * k + (o if bias else 0), "k * k weights")
    wrong(c, lambda i, o, k, bias=True: o * i * (k * k + (1 if bias else 0)),
          "one bias per output channel")
