"""Checks for notebooks 01-03 accept the reference and name the mistake in realistic wrong answers."""

import torch
import torch.nn.functional as F
from checkhelpers import wrong

from cnncourse.checks import nb01, nb02, nb03
from cnncourse.exercises import CORRECT

# Notebook 01 -------------------------------------------------------------------------------

def test_to_chw_float_mistakes():
    c = nb01.to_chw_float
    wrong(c, lambda im: im.float() / 255, "still (H, W, C)", "permute(2, 0, 1)")
    wrong(c, lambda im: im.permute(2, 1, 0).float() / 255, "height and width are swapped")
    wrong(c, lambda im: im.permute(2, 0, 1).float(), "values go up to 255", "divide by 255")
    wrong(c, lambda im: im.reshape(im.shape[2], im.shape[0], im.shape[1]).float() / 255,
          "pixels are scrambled", "permute")
    wrong(c, lambda im: im.permute(2, 0, 1) // 255, "dtype is torch.uint8", ".float()")
    wrong(c, lambda im: im.permute(2, 0, 1).double() / 255, "torch.float64")


def test_normalize_mistakes():
    c = nb01.normalize
    wrong(c, lambda x, m, s: (x - torch.tensor(m)) / torch.tensor(s),
          "did not broadcast", "(C, 1, 1)")
    wrong(c, lambda x, m, s: x - torch.tensor(m).view(-1, 1, 1) / torch.tensor(s).view(-1, 1, 1),
          "(x - mean) / std")
    wrong(c, lambda x, m, s: (x - torch.tensor(m).view(-1, 1, 1)) * torch.tensor(s).view(-1, 1, 1),
          "multiplied by std")
    wrong(c, lambda x, m, s: (x - x.mean()) / x.std(), "own mean and std")
    wrong(c, lambda x, m, s: x - torch.tensor(m).view(-1, 1, 1), "did not divide by std")

    def in_place(x, m, s):
        x -= torch.tensor(m).view(-1, 1, 1)
        x /= torch.tensor(s).view(-1, 1, 1)
        return x

    wrong(c, in_place, "in place")

    def per_first_axis_only(x, m, s):   # works for (C, H, W) but not for a batch
        return (x - torch.tensor(m)[:, None, None]) / torch.tensor(s)[:, None, None] \
            if x.dim() == 3 else x

    wrong(c, per_first_axis_only, "batch (2, 3, 2, 2)")


# Notebook 02 -------------------------------------------------------------------------------

def test_neuron_mistakes():
    c = nb02.neuron
    wrong(c, lambda x, w, b: torch.relu(x @ w), "forgot the bias")
    wrong(c, lambda x, w, b: x @ w + b, "apply ReLU")
    wrong(c, lambda x, w, b: torch.relu(x * w + b), "did not add the products up")
    wrong(c, lambda x, w, b: torch.relu((x * w).sum() + b), "summed over every element")
    wrong(c, lambda x, w, b: torch.relu(x @ w) + b, "after the ReLU")


def test_softmax_mistakes():
    c = nb02.softmax
    wrong(c, lambda z: torch.exp(z) / torch.exp(z).sum(dim=1, keepdim=True), "overflows", "nan")
    wrong(c, lambda z: torch.exp(z - z.max(0, keepdim=True).values)
          / torch.exp(z - z.max(0, keepdim=True).values).sum(0, keepdim=True),
          "COLUMNS sum to 1", "dim=1")
    wrong(c, lambda z: torch.exp(z), "did not divide")
    wrong(c, lambda z: torch.exp(z - z.max()) / torch.exp(z - z.max()).sum(1, keepdim=True),
          "each row's own maximum")


def test_sgd_step_mistakes():
    c = nb02.sgd_step
    wrong(c, lambda w, g, lr: w + lr * g, "WITH the gradient")
    wrong(c, lambda w, g, lr: w - g, "forgot to multiply", "learning rate")
    wrong(c, lambda w, g, lr: lr * g, "only the update")
    wrong(c, lambda w, g, lr: w - 0.1 * g, "lr=0.5")

    def in_place(w, g, lr):
        w -= lr * g
        return w

    wrong(c, in_place, "in place")


# Notebook 03 -------------------------------------------------------------------------------

def _loop_conv(image, kernel, padding=0, stride=1, flip=False, extra=1, transpose=False,
               use_padding=True, use_stride=True):
    """A learner's loop conv with switchable slips."""
    k = kernel.flip(0, 1) if flip else kernel
    k = k.T if transpose else k
    p = padding if use_padding else 0
    s = stride if use_stride else 1
    x = F.pad(image, (p, p, p, p))
    kh, kw = k.shape
    h_out = (x.shape[0] - kh) // s + extra
    w_out = (x.shape[1] - kw) // s + extra
    out = torch.zeros(h_out, w_out)
    for i in range(h_out):
        for j in range(w_out):
            out[i, j] = (x[i * s:i * s + kh, j * s:j * s + kw] * k).sum()
    return out


def test_conv2d_single_mistakes():
    c = nb03.conv2d_single
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


def test_conv_output_size_mistakes():
    c = nb03.conv_output_size
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
    c = nb03.conv2d_multi
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
    c = nb03.conv_param_count
    wrong(c, lambda i, o, k, bias=True: o * i * k * k, "forgot the biases")
    wrong(c, lambda i, o, k, bias=True: o * i * k * k + o, "bias=False")
    wrong(c, lambda i, o, k, bias=True: o * k * k + (o if bias else 0), "ALL input channels")
    wrong(c, lambda i, o, k, bias=True: o * i * k + (o if bias else 0), "k * k weights")
    wrong(c, lambda i, o, k, bias=True: o * i * (k * k + (1 if bias else 0)),
          "one bias per output channel")
