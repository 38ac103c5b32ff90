"""The from-scratch convolutions (cnncourse.conv and its reference solutions) agree with
torch.nn.functional.conv2d."""

import itertools

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from cnncourse import conv
from cnncourse import conv_reference as reference


@pytest.mark.parametrize("padding,stride,k", list(itertools.product([0, 1, 2], [1, 2, 3], [1, 2, 3])))
def test_conv2d_single_matches_f_conv2d(padding, stride, k):
    g = torch.Generator().manual_seed(padding * 100 + stride * 10 + k)
    image = torch.randn(9, 11, generator=g)
    kernel = torch.randn(k, k, generator=g)
    ours = conv.conv2d_single(image, kernel, padding=padding, stride=stride)
    ref = F.conv2d(image[None, None], kernel[None, None], padding=padding, stride=stride)[0, 0]
    assert ours.shape == ref.shape
    torch.testing.assert_close(ours, ref, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("c_in,c_out,padding,stride",
                         [(1, 1, 0, 1), (3, 4, 1, 1), (2, 5, 2, 2), (4, 2, 0, 3)])
def test_multi_channel_reference_matches_f_conv2d(c_in, c_out, padding, stride):
    g = torch.Generator().manual_seed(c_in * 10 + c_out)
    x = torch.randn(c_in, 8, 10, generator=g)
    weight = torch.randn(c_out, c_in, 3, 3, generator=g)
    bias = torch.randn(c_out, generator=g)
    ref = F.conv2d(x[None], weight, bias, padding=padding, stride=stride)[0]
    torch.testing.assert_close(reference.conv2d_multi(x, weight, bias, padding, stride), ref,
                               atol=1e-5, rtol=1e-5)


def test_true_convolution_flips_the_kernel():
    image = torch.zeros(5, 5)
    image[2, 2] = 1.0                                   # an impulse
    k = torch.arange(9.0).reshape(3, 3)
    # Cross-correlating an impulse paints the kernel upside down; true convolution paints it
    # the right way up (the impulse response of a filter is the filter).
    assert torch.equal(conv.conv2d_single(image, k, padding=1)[1:4, 1:4], k.flip(0, 1))
    assert torch.equal(conv.true_convolution(image, k, padding=1)[1:4, 1:4], k)


@pytest.mark.parametrize("size,k,p,s", [(32, 3, 1, 1), (28, 5, 0, 1), (7, 3, 0, 2),
                                        (224, 7, 3, 2), (10, 4, 1, 3)])
def test_conv_output_size_matches_nn_conv2d(size, k, p, s):
    out = nn.Conv2d(1, 1, k, padding=p, stride=s)(torch.zeros(1, 1, size, size))
    assert conv.conv_output_size(size, k, padding=p, stride=s) == out.shape[-1]


@pytest.mark.parametrize("c_in,c_out,k,bias", [(3, 16, 3, True), (16, 32, 5, False)])
def test_param_counts_match_pytorch(c_in, c_out, k, bias):
    n_conv = sum(p.numel() for p in nn.Conv2d(c_in, c_out, k, bias=bias).parameters())
    n_lin = sum(p.numel() for p in nn.Linear(c_in, c_out, bias=bias).parameters())
    assert reference.conv_param_count(c_in, c_out, k, bias=bias) == n_conv
    assert conv.linear_param_count(c_in, c_out, bias=bias) == n_lin


def test_apply_kernel_gray_and_colour():
    img = torch.rand(3, 12, 10)
    k = conv.kernel("sobel_x")
    out = conv.apply_kernel(img, k)
    assert out.shape == (3, 12, 10)
    torch.testing.assert_close(out[1], conv.conv2d_single(img[1], k, padding=1))
    assert conv.apply_kernel(img[0], conv.kernel("identity")).allclose(img[0])


def test_bad_inputs_say_what_to_do():
    with pytest.raises(ValueError, match="image must be a 2-D tensor"):
        conv.conv2d_single(torch.zeros(3, 8, 8), torch.zeros(3, 3))
    with pytest.raises(ValueError, match="does not fit"):
        conv.conv_output_size(2, 5)
    with pytest.raises(ValueError, match="unknown kernel"):
        conv.kernel("fancy")
    with pytest.raises(ValueError, match="stride must be a positive int"):
        conv.conv_output_size(8, 3, stride=0)
    with pytest.raises(ValueError, match="does not fit"):
        conv.conv2d_single(torch.zeros(2, 8), torch.zeros(3, 3))


def test_package_versions_and_reference_solutions_are_one_source():
    from cnncourse.lessons import convolution as nb03

    image, k = torch.randn(7, 6), torch.randn(3, 3)
    assert torch.equal(conv.conv2d_single(image, k, 1, 2), nb03.conv2d_single(image, k, 1, 2))
    assert conv.conv_output_size(32, 3, 1, 2) == nb03.conv_output_size(32, 3, 1, 2) == 16
