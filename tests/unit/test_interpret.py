"""Interpretation helpers against autograd and against models built so the answer is known."""

import pytest
import torch
from torch import nn

from cnncourse.interpret import (
    feature_maps,
    find_layer,
    grad_cam,
    gradient_norms,
    receptive_field,
    saliency,
)
from cnncourse.models import SimpleCNN


def _channel_picker() -> nn.Module:
    """Logit k = spatial mean of input channel k: only channel k's bright region matters."""
    conv = nn.Conv2d(2, 2, 1, bias=False)
    with torch.no_grad():
        conv.weight.copy_(torch.eye(2).reshape(2, 2, 1, 1))
    head = nn.Linear(2, 2, bias=False)
    with torch.no_grad():
        head.weight.copy_(torch.eye(2))
    return nn.Sequential(conv, nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), head)


def _two_blobs() -> torch.Tensor:
    x = torch.zeros(2, 16, 16)
    x[0, 2:5, 2:5] = 1.0      # channel 0: top-left blob
    x[1, 11:14, 10:13] = 1.0  # channel 1: bottom-right blob
    return x


def test_grad_cam_peaks_where_the_target_logit_looks():
    model, x = _channel_picker(), _two_blobs()
    cam0 = grad_cam(model, x, model[0], target=0)
    cam1 = grad_cam(model, x, "0", target=1)
    assert cam0.shape == (16, 16) and cam1.shape == (16, 16)
    r0, c0 = divmod(int(cam0.argmax()), 16)
    r1, c1 = divmod(int(cam1.argmax()), 16)
    assert 2 <= r0 < 5 and 2 <= c0 < 5
    assert 11 <= r1 < 14 and 10 <= c1 < 13
    assert cam0.max().item() == pytest.approx(1.0)
    assert cam0[11:14, 10:13].abs().max().item() == 0.0  # the other blob gets no credit


def test_grad_cam_equals_the_paper_formula_worked_by_hand():
    """Selvaraju et al.: w_k = spatial mean of d logit / d A_k, cam = ReLU(sum_k w_k A_k).

    A 1x1 conv makes A_0 = x and A_1 = 1 on a 2x2 image; a linear head with known weights
    makes d logit / d A exactly those weights, so every number is known in advance:
    w_0 = mean(2, 0, 0, 0) = 0.5, w_1 = mean(-1, -1, -1, -1) = -1,
    w_0 * x + w_1 * 1 = [[1, 0], [0.5, -1.5]] -> ReLU -> [[1, 0], [0.5, 0]] (peak already 1).
    """
    conv = nn.Conv2d(1, 2, 1)
    head = nn.Linear(8, 2, bias=False)
    with torch.no_grad():
        conv.weight.copy_(torch.tensor([1.0, 0.0]).reshape(2, 1, 1, 1))   # A_0 = x
        conv.bias.copy_(torch.tensor([0.0, 1.0]))                          # A_1 = 1
        head.weight.zero_()
        head.weight[0] = torch.tensor([2.0, 0, 0, 0, -1, -1, -1, -1])     # channel 0, then 1
    model = nn.Sequential(conv, nn.Flatten(), head)
    x = torch.tensor([[[4.0, 2.0], [3.0, -1.0]]])                          # (1, 2, 2)
    cam = grad_cam(model, x, model[0], target=0, upsample=False)
    torch.testing.assert_close(cam, torch.tensor([[1.0, 0.0], [0.5, 0.0]]))
    # without the ReLU the bottom-right cell would be -1.5: the rectification is what zeroes it
    assert cam.min().item() == 0.0


def test_grad_cam_matches_a_manual_computation_on_simplecnn():
    torch.manual_seed(0)
    model, x = SimpleCNN(), torch.randn(3, 3, 32, 32)
    cams = grad_cam(model, x, "conv2", target=[1, 2, 3], upsample=False)
    assert cams.shape == (3, 16, 16)
    store = {}
    h = model.conv2.register_forward_hook(lambda m, i, o: store.setdefault("A", o))
    logits = model(x)
    h.remove()
    A = store["A"]
    score = logits[torch.arange(3), torch.tensor([1, 2, 3])].sum()
    (dA,) = torch.autograd.grad(score, A)
    cam = torch.relu((dA.mean((2, 3), keepdim=True) * A).sum(1))
    cam = cam / cam.flatten(1).amax(1)[:, None, None]
    torch.testing.assert_close(cams, cam.detach())
    assert grad_cam(model, x[0], "conv2").shape == (32, 32)  # upsampled to the input


def test_saliency_is_zero_outside_the_region_that_matters():
    mask = torch.zeros(1, 12, 12)
    mask[0, 3:6, 7:10] = 1.0
    model = nn.Sequential(nn.Flatten(), nn.Linear(144, 2, bias=False))
    with torch.no_grad():
        model[1].weight.copy_(torch.stack([mask.flatten() * 2.0, -mask.flatten()]))
    sal = saliency(model, torch.rand(1, 12, 12), target=0)
    assert sal.shape == (12, 12)
    assert torch.all(sal[3:6, 7:10] == 2.0)
    assert sal.sum().item() == pytest.approx(2.0 * 9)


def test_saliency_matches_autograd_and_leaves_grads_alone():
    torch.manual_seed(1)
    model, x = SimpleCNN(), torch.randn(2, 3, 32, 32)
    sal = saliency(model, x)              # default target: the predicted class
    assert all(p.grad is None for p in model.parameters())
    xr = x.clone().requires_grad_(True)
    logits = model(xr)
    pred = logits.argmax(1)
    logits[torch.arange(2), pred].sum().backward()
    torch.testing.assert_close(sal, xr.grad.abs().amax(1))


def test_gradient_norms_match_backward():
    torch.manual_seed(2)
    model = SimpleCNN()
    X, y = torch.randn(8, 3, 32, 32), torch.randint(0, 10, (8,))
    norms = gradient_norms(model, X, y)
    assert list(norms) == ["conv1", "conv2", "fc1", "fc2"]
    nn.functional.cross_entropy(model(X), y).backward()
    for name in norms:
        expected = getattr(model, name).weight.grad.norm().item()
        assert norms[name] == pytest.approx(expected, rel=1e-5)


def test_feature_maps_record_every_call_in_order():
    model = SimpleCNN()
    maps = feature_maps(model, torch.randn(3, 32, 32))
    assert list(maps) == ["conv1", "pool", "conv2", "pool#2"]
    assert maps["conv1"].shape == (1, 16, 32, 32)
    assert maps["pool#2"].shape == (1, 32, 8, 8)


def test_receptive_field_formula_and_simplecnn():
    three = nn.Sequential(*[nn.Conv2d(1, 1, 3) for _ in range(3)])
    assert [s.size for s in receptive_field(three)] == [3, 5, 7]
    steps = receptive_field(SimpleCNN())
    assert [s.name for s in steps] == ["conv1", "pool", "conv2", "pool#2"]
    assert [s.size for s in steps] == [3, 4, 8, 10]
    assert [s.jump for s in steps] == [1, 2, 2, 4]


def test_receptive_field_matches_the_gradient_footprint():
    # Positive weights, no ReLU: the gradient of one output pixel is non-zero exactly on
    # its receptive field.
    model = nn.Sequential(nn.Conv2d(1, 1, 3, padding=1), nn.AvgPool2d(2),
                          nn.Conv2d(1, 1, 5, padding=2), nn.AvgPool2d(2),
                          nn.Conv2d(1, 1, 3, padding=1))
    for m in model:
        if isinstance(m, nn.Conv2d):
            nn.init.constant_(m.weight, 1.0)
    x = torch.zeros(1, 1, 64, 64, requires_grad=True)
    out = model(x)                                   # (1, 1, 16, 16)
    out[0, 0, 8, 8].backward()
    rows = (x.grad[0, 0].abs().sum(1) > 0).sum().item()
    assert receptive_field(model, input_shape=(1, 1, 64, 64))[-1].size == rows == 22


def _footprint(stack, x, i, j):
    """Input rows and columns whose gradient reaches output pixel (i, j), over a whole batch."""
    x = x.clone().requires_grad_(True)
    (g,) = torch.autograd.grad(stack(x)[:, :, i, j].sum(), x)
    rows = (g.abs().sum(dim=(0, 1, 3)) > 0).nonzero().flatten().tolist()
    cols = (g.abs().sum(dim=(0, 1, 2)) > 0).nonzero().flatten().tolist()
    return rows, cols


def _assert_field_matches(step, rows, cols, i, j):
    for seen, k in ((rows, i), (cols, j)):
        assert seen == list(range(seen[0], seen[0] + step.size)), "footprint has holes"
        assert (seen[0] + seen[-1] + 1) / 2 == step.start + k * step.jump   # centre in pixels


def test_receptive_field_of_simplecnn_matches_the_autograd_footprint():
    # SimpleCNN's own layers, ReLU and max-pool included. One input routes gradients through
    # one max per window, so the footprint is the union over 128 random images.
    torch.manual_seed(0)
    model = SimpleCNN()
    stack = nn.Sequential(model.conv1, nn.ReLU(), model.pool, model.conv2, nn.ReLU(),
                          model.pool)
    step = receptive_field(model)[-1]
    x = torch.randn(128, 3, 32, 32)
    for i, j in [(2, 3), (4, 4), (5, 2)]:
        rows, cols = _footprint(stack, x, i, j)
        assert len(rows) == len(cols) == step.size == 10
        _assert_field_matches(step, rows, cols, i, j)


def test_receptive_field_with_stride_dilation_and_padding_matches_autograd():
    torch.manual_seed(0)
    stack = nn.Sequential(nn.Conv2d(1, 4, 3, stride=2, padding=1), nn.ReLU(),
                          nn.Conv2d(4, 4, 3, padding=2, dilation=2), nn.ReLU(),
                          nn.AvgPool2d(3, stride=2, padding=1),
                          nn.Conv2d(4, 2, 5))
    steps = receptive_field(stack, input_shape=(1, 1, 96, 96))
    # By hand: size += (k - 1) * dilation * jump; start += ((k - 1) * dilation / 2 - p) * jump.
    assert [(s.size, s.jump, s.start) for s in steps] == \
        [(3, 2, 0.5), (11, 2, 0.5), (15, 4, 0.5), (31, 4, 8.5)]
    x = torch.randn(64, 1, 96, 96)
    for i, j in [(5, 6), (8, 8)]:
        rows, cols = _footprint(stack, x, i, j)
        assert len(rows) == steps[-1].size
        _assert_field_matches(steps[-1], rows, cols, i, j)


@pytest.mark.parametrize("call, words", [
    (lambda m: saliency(m, torch.randn(32, 32)), "(C, H, W)"),
    (lambda m: saliency(m, torch.zeros(1, 3, 32, 32, dtype=torch.uint8)), "float"),
    (lambda m: saliency(m, [[1.0]]), "image tensor"),
    (lambda m: saliency("model", torch.randn(3, 32, 32)), "nn.Module"),
    (lambda m: saliency(m, torch.randn(3, 32, 32), target=10), "0..9"),
    (lambda m: grad_cam(m, torch.randn(3, 32, 32), "conv9"), "conv1"),
    (lambda m: grad_cam(m, torch.randn(3, 32, 32), "fc1"), "conv layer"),
    (lambda m: gradient_norms(m, torch.randn(4, 3, 32, 32), torch.zeros(3).long()), "(4,)"),
    (lambda m: find_layer(m, "nope"), "no layer"),
    (lambda m: feature_maps(nn.Linear(2, 2), torch.randn(3, 32, 32)), "no Conv2d"),
    (lambda m: find_layer(m, nn.Conv2d(1, 1, 1)), "not part"),
    (lambda m: receptive_field("conv"), "nn.Module"),
    (lambda m: receptive_field(SimpleCNN(), input_shape=(1, 3, 30, 30)), "input_shape"),
])
def test_bad_input_says_what_was_expected(call, words):
    with pytest.raises((TypeError, ValueError)) as err:
        call(SimpleCNN())
    assert words in str(err.value)


def test_feature_plots_draw_titled_figures():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from cnncourse import viz

    torch.manual_seed(0)
    model, x = SimpleCNN(), torch.rand(3, 32, 32)
    figs = [viz.plot_filters(model.conv1), viz.plot_feature_maps(feature_maps(model, x)["conv1"]),
            viz.plot_grad_cam(x, grad_cam(model, x, "conv2")),
            viz.plot_saliency(x, saliency(model, x)),
            viz.plot_gradient_norms({"a": {"l1": 1e-3, "l2": 1.0}, "b": {"l1": 1.0, "l2": 1.0}}),
            viz.plot_receptive_field(receptive_field(model), image=x)]
    for fig in figs:
        titles = [fig._suptitle.get_text() if fig._suptitle else ""]
        titles += [ax.get_title() for ax in fig.axes]
        assert any(titles), "every figure needs a title"
    assert len(figs[0].axes) == 16 and len(figs[1].axes) == 16
    plt.close("all")
    with pytest.raises(ValueError, match="upsample=True"):
        viz.plot_grad_cam(x, grad_cam(model, x, "conv2", upsample=False))
    with pytest.raises(ValueError, match="out, in, k, k"):
        viz.plot_filters(torch.randn(3, 3, 3))
    with pytest.raises(TypeError, match="receptive_field"):
        viz.plot_receptive_field([1, 2], x)
