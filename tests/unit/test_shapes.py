"""The shape tracer on good models, a failing model and the seed's silent view(-1, ...) bug."""

import pytest
import torch
from torch import nn
from torch.nn import functional as F

from cnncourse.models import MLP, SimpleCNN, count_parameters
from cnncourse.shapes import trace


class SeedCNN(nn.Module):
    """The seed's model, flattening with x.view(-1, 32 * 8 * 8)."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3, padding=1)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.fc1 = nn.Linear(32 * 8 * 8, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = x.view(-1, 32 * 8 * 8)
        return self.fc2(F.relu(self.fc1(x)))


def test_simple_cnn_shapes_match_a_real_forward_pass():
    model = SimpleCNN()
    result = trace(model, (2, 3, 32, 32))
    assert result.ok
    assert [r.name for r in result.rows] == ["conv1", "pool", "conv2", "pool", "fc1", "fc2"]
    assert [r.output_shape for r in result.rows] == [
        (2, 16, 32, 32), (2, 16, 16, 16), (2, 32, 16, 16), (2, 32, 8, 8), (2, 128), (2, 10)]
    assert result.output_shape == tuple(model(torch.randn(2, 3, 32, 32)).shape)
    # The pool used twice holds no weights; the rows add up to the model's parameter count.
    assert sum(r.params for r in result.rows) == count_parameters(model) == result.total_params
    assert result.rows[4].params == 2048 * 128 + 128
    assert "fc1" in result.table() and "262,272" in result.table()


def test_sequential_and_tensor_input():
    model = MLP()
    result = trace(model, torch.zeros(3, 3, 32, 32))
    assert result.output_shape == (3, 10)
    assert [r.kind for r in result.rows] == ["Flatten", "Linear", "ReLU", "Linear"]


def test_wrong_image_size_stops_at_the_linear_layer_with_a_plain_reason():
    result = trace(SimpleCNN(), (1, 3, 64, 64))
    assert not result.ok
    assert result.rows[-1].name == "fc1" and result.rows[-1].output_shape is None
    assert "Linear expects 2048 features but got 8192" in result.error
    assert "64×64, not 32×32" in result.error


def test_wrong_channel_count_is_named():
    result = trace(SimpleCNN(), (1, 1, 32, 32))
    assert "expects 3 input channels but got 1" in result.error


def test_seed_view_bug_is_caught_as_a_batch_change():
    result = trace(SeedCNN(), (1, 3, 64, 64))
    assert result.error is None
    assert result.output_shape == (4, 10)
    assert not result.ok
    assert "output batch is 4 but the input batch was 1" in result.warnings[0]
    assert "batch is 4 here" in result.rows[4].note  # fc1 is where the batch changed
    assert "torch.flatten" in result.warnings[0]


def test_failure_in_forward_code_outside_a_layer():
    result = trace(SeedCNN(), (1, 3, 48, 48))  # 32*12*12 = 4608 is not a multiple of 2048
    assert "after layer `pool`" in result.error and "invalid for input of size 4608" in result.error


def test_training_mode_is_restored():
    model = SimpleCNN().train()
    trace(model, (1, 3, 32, 32))
    assert model.training


@pytest.mark.parametrize("bad", [(3, 32, 32.0), "1x3x32x32", (0, 3, 32, 32), ()])
def test_bad_input_size_says_what_to_pass(bad):
    with pytest.raises(ValueError, match=r"e\.g\. \(1, 3, 32, 32\)"):
        trace(SimpleCNN(), bad)


def test_not_a_model():
    with pytest.raises(TypeError, match="expected a torch.nn.Module"):
        trace(lambda x: x, (1, 3, 32, 32))
