"""Lesson 04 (pooling): each check accepts its reference and names the mistake in realistic wrong answers."""

from checkhelpers import assert_accepts_reference, stub, verdict, wrong
from torch.nn import functional as F

from cnncourse.exercises import NOT_ATTEMPTED
from cnncourse.lessons.pooling import check


def test_nb04_max_pool2d():
    c = check.max_pool2d
    assert_accepts_reference(c)
    assert verdict(c, stub).status == NOT_ATTEMPTED

    def avg(x, kernel_size=2, stride=None):
        return F.avg_pool2d(x, kernel_size, stride)

    def stride_one(x, kernel_size=2, stride=None):
        return F.max_pool2d(x, kernel_size, 1)

    def across_channels(x, kernel_size=2, stride=None):
        return F.max_pool2d(x, kernel_size, stride).amax(dim=1, keepdim=True)

    def ceil(x, kernel_size=2, stride=None):
        return F.max_pool2d(x, kernel_size, stride, ceil_mode=True)

    def ignores_stride(x, kernel_size=2, stride=None):
        return F.max_pool2d(x, kernel_size)

    wrong(c, avg, "average pooling")
    wrong(c, stride_one, "windows overlap (stride 1)")
    wrong(c, across_channels, "max across channels")
    wrong(c, ceil, "you rounded up")
    wrong(c, ignores_stride, "ignored the stride")


def test_nb04_stack_output_size():
    c = check.stack_output_size
    assert_accepts_reference(c)

    def true_division(size, layers):
        for _kind, k, s, p in layers:
            size = (size + 2 * p - k) / s + 1
        return size

    def no_padding(size, layers):
        for _kind, k, s, _p in layers:
            size = (size - k) // s + 1
        return size

    def no_stride(size, layers):
        for _kind, k, _s, p in layers:
            size = size + 2 * p - k + 1
        return size

    def last_only(size, layers):
        out = size
        for _kind, k, s, p in layers:
            out = (size + 2 * p - k) // s + 1
        return out

    wrong(c, true_division, "Use // (floor division)")
    wrong(c, no_padding, "left out the padding")
    wrong(c, no_stride, "ignored the stride")
    wrong(c, last_only, "previous layer's output size")
