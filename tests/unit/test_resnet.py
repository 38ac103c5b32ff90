"""Residual blocks, the small ResNet and its plain twin: shapes, skips, gradient flow."""

import pytest
import torch

from cnncourse.interpret import gradient_norms
from cnncourse.models import (
    PlainDeepCNN,
    ResidualBlock,
    SmallResNet,
    count_parameters,
    kaiming_init,
)


def test_block_keeps_shape_and_adds_the_input():
    torch.manual_seed(0)
    block = ResidualBlock(8, batch_norm=False)
    x = torch.randn(2, 8, 10, 10)
    assert block(x).shape == x.shape
    with torch.no_grad():                        # zero residual branch -> relu(x)
        block.conv2.weight.zero_()
        block.conv2.bias.zero_()
    torch.testing.assert_close(block(x), torch.relu(x))
    plain = ResidualBlock(8, batch_norm=False, skip=False)
    plain.load_state_dict(block.state_dict())
    assert plain(x).abs().max().item() == 0.0    # without the skip nothing is left


def test_models_output_logits_and_share_parameter_counts():
    x = torch.randn(3, 3, 32, 32)
    res = SmallResNet(widths=(8, 16), blocks_per_stage=2)
    plain = PlainDeepCNN(widths=(8, 16), blocks_per_stage=2)
    assert res(x).shape == plain(x).shape == (3, 10)
    assert count_parameters(res) == count_parameters(plain)
    assert SmallResNet(in_channels=1, num_classes=4)(torch.randn(2, 1, 28, 28)).shape == (2, 4)


def test_skips_keep_early_gradients_alive():
    torch.manual_seed(0)
    X, y = torch.randn(16, 3, 32, 32), torch.randint(0, 10, (16,))
    plain = gradient_norms(PlainDeepCNN(blocks_per_stage=3, batch_norm=False), X, y)
    torch.manual_seed(0)
    res = gradient_norms(SmallResNet(blocks_per_stage=3, batch_norm=False), X, y)
    first = next(iter(plain))
    assert plain[first] < 1e-3 * res[first]      # measured ~1e-9 vs ~1e-2
    assert list(plain) == list(res)


def test_kaiming_init_keeps_plain_gradients_alive():
    # Default init: the first layer of a 15-conv plain net gets ~1e-5 of the last one's
    # gradient; He init alone (no skips, no batch norm) brings the ratio close to 1.
    X, y = torch.randn(32, 3, 32, 32), torch.randint(0, 10, (32,))

    def ratio(init):
        torch.manual_seed(0)
        g = list(gradient_norms(PlainDeepCNN(widths=(8, 16, 32), blocks_per_stage=2,
                                             batch_norm=False, init=init), X, y).values())
        return g[0] / g[-1]

    assert ratio("default") < 1e-3
    assert 0.1 < ratio("kaiming") < 10


def test_kaiming_init_sets_he_variance_and_zero_bias():
    torch.manual_seed(0)
    net = kaiming_init(torch.nn.Sequential(torch.nn.Conv2d(64, 64, 3), torch.nn.Linear(500, 400)))
    conv, lin = net[0], net[1]
    assert conv.weight.var().item() == pytest.approx(2 / (64 * 9), rel=0.05)
    assert lin.weight.var().item() == pytest.approx(2 / 500, rel=0.05)
    assert conv.bias.abs().max().item() == lin.bias.abs().max().item() == 0.0
    res = SmallResNet(init="kaiming")
    assert all(m.weight.eq(1).all() for m in res.modules()
               if isinstance(m, torch.nn.BatchNorm2d))     # batch norm left alone


@pytest.mark.parametrize("make, words", [
    (lambda: ResidualBlock(0), "channels"),
    (lambda: SmallResNet(widths=()), "widths"),
    (lambda: SmallResNet(blocks_per_stage=0), "blocks_per_stage"),
    (lambda: PlainDeepCNN(init="he"), "init must be one of"),
])
def test_bad_arguments(make, words):
    with pytest.raises(ValueError, match=words):
        make()
