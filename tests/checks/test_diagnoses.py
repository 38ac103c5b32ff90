"""The mistakes a learner with NumPy/pandas habits makes first each get a message that names
them (issue 28, item 6)."""

import torch
from checkhelpers import wrong

from cnncourse.course import directions
from cnncourse.lessons import neural_networks, pixels, production


def test_numpy_transpose_is_named_and_permute_suggested():
    wrong(pixels.check.to_chw_float, lambda image: image.transpose(2, 0, 1).float() / 255,
          "NumPy habit", ".permute(2, 0, 1)")


def test_numpy_and_pandas_attributes_are_named():
    wrong(pixels.check.to_chw_float, lambda image: image.astype("float32"),
          "a torch tensor has no .astype", ".float()")
    wrong(pixels.check.to_chw_float, lambda image: image.values / 255, "has no .values")


def test_pythons_max_on_a_tensor_is_named():
    wrong(neural_networks.check.neuron, lambda x, w, b: max(0, x @ w + b),
          "Python's own max", "clamp(min=0)")


def test_softmax_summed_without_dim_is_named():
    wrong(neural_networks.check.softmax, lambda z: z.exp() / z.exp().sum(),
          "the whole batch sums to 1", "dim=1, keepdim=True")


def test_notebook_11_broadcasting_gets_notebook_01s_message():
    def prepare_image(image, mean, std):
        x = image.permute(2, 0, 1).float() / 255                 # (C, H, W)
        return ((x - torch.tensor(mean)) / torch.tensor(std)).unsqueeze(0)

    wrong(production.check.prepare_image, prepare_image, pixels.STATS_SHAPE)

    def normalize(x, mean, std):
        return (x - torch.tensor(mean)) / torch.tensor(std)

    wrong(pixels.check.normalize, normalize, pixels.STATS_SHAPE)


def test_a_module_that_is_not_installed():
    def to_chw_float(image):
        import pandas_is_not_installed_here  # noqa: F401

    wrong(pixels.check.to_chw_float, to_chw_float, "not installed here", "csv module")
    # ... and in the learner's own cell (``import pandas`` at the top of the exercise cell)
    err = ModuleNotFoundError("No module named 'pandas'", name="pandas")
    line = directions.direction(type("Shell", (), {"user_ns": {}})(), err)
    assert "`pandas` is not installed here" in line and "%pip install pandas" in line
