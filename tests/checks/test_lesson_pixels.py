"""Lesson 01 (pixels): each check accepts its reference and names the mistake in realistic wrong answers."""

import torch
from checkhelpers import wrong

from cnncourse.lessons.pixels import check


def test_to_chw_float_mistakes():
    c = check.to_chw_float
    wrong(c, lambda im: im.float() / 255, "still (H, W, C)", "permute(2, 0, 1)")
    wrong(c, lambda im: im.permute(2, 1, 0).float() / 255, "height and width are swapped")
    wrong(c, lambda im: im.permute(2, 0, 1).float(), "values go up to 255", "divide by 255")
    wrong(c, lambda im: im.reshape(im.shape[2], im.shape[0], im.shape[1]).float() / 255,
          "pixels are scrambled", "permute")
    wrong(c, lambda im: im.permute(2, 0, 1) // 255, "dtype is torch.uint8", ".float()")
    wrong(c, lambda im: im.permute(2, 0, 1).double() / 255, "torch.float64")


def test_normalize_mistakes():
    c = check.normalize
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


def test_normalize_rejects_torchvision_shortcuts():
    from torchvision.transforms import functional as TF
    from torchvision.transforms import v2

    c = check.normalize
    wrong(c, lambda x, m, s: TF.normalize(x, m, s), "you called torchvision.transforms",
          "(x - mean) / std yourself")
    wrong(c, lambda x, m, s: v2.functional.normalize(x, m, s), "you called torchvision")
    # notebook 07 teaches the v2.Normalize class: named, not a library error about kernels
    wrong(c, lambda x, m, s: v2.Normalize(m, s)(x), "you called torchvision.transforms.v2.Normalize")
    made_before = v2.Normalize([0.5, 0.4, 0.3], [0.2, 0.25, 0.5])
    wrong(c, lambda x, m, s: made_before(x), "Normalize does the whole job")
    assert v2.Normalize([0.5] * 3, [0.5] * 3)(torch.ones(3, 2, 2)).eq(1).all()  # restored
    assert TF.normalize(torch.ones(3, 2, 2), [0.5] * 3, [0.5] * 3).eq(1).all()  # restored
    assert c.passed(lambda x, m, s: (x - torch.tensor(m).view(-1, 1, 1))
                    / torch.tensor(s).view(-1, 1, 1))
