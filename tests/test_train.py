"""fit/evaluate: learns, repeats with a seed, handles bad input; models and the loader."""

import pytest
import torch
from torch import nn

from cnncourse.loader import TensorLoader
from cnncourse.models import MLP, SimpleCNN, count_parameters
from cnncourse.settings import seed_everything
from cnncourse.train import History, evaluate, fit


def tiny_batch(n=32, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, 3, 32, 32, generator=g), torch.randint(0, 10, (n,), generator=g)


def test_fit_overfits_a_small_batch():
    X, y = tiny_batch()
    model = SimpleCNN()
    history = fit(model, TensorLoader(X, y, batch_size=32), epochs=40, lr=3e-3, seed=0,
                  progress=False)
    assert history["train_loss"][-1] < 0.1 * history["train_loss"][0]
    assert evaluate(model, TensorLoader(X, y, 16))["accuracy"] == 1.0


def test_same_seed_same_history():
    X, y = tiny_batch(64)

    def run(seed):
        seed_everything(seed)  # seed before building the model: same initial weights
        return fit(SimpleCNN(), TensorLoader(X, y, 16, shuffle=True), TensorLoader(X, y, 32),
                   epochs=2, seed=seed, progress=False)

    first, second, other = run(123), run(123), run(124)
    assert first == second
    assert other["train_loss"] != first["train_loss"]


def test_history_has_all_keys_and_callback_runs_each_epoch():
    X, y = tiny_batch(16)
    seen = []
    history = fit(MLP(), TensorLoader(X, y, 8), TensorLoader(X, y, 8), epochs=3,
                  progress=False, callback=lambda h: seen.append(len(h["epoch"])))
    assert isinstance(history, History)
    assert set(history) == {"epoch", "train_loss", "train_acc", "test_loss", "test_acc"}
    assert history["epoch"] == [1, 2, 3] and seen == [1, 2, 3]
    assert "3 epochs" in repr(history)


def test_fit_works_with_a_torch_dataloader():
    X, y = tiny_batch(16)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, y), batch_size=8)
    history = fit(MLP(), loader, epochs=1, progress=False)
    assert 0.0 <= history["train_acc"][0] <= 1.0


@pytest.mark.parametrize("kwargs,message", [
    (dict(model="cnn"), "expected a torch.nn.Module"),
    (dict(train_data=torch.zeros(3)), "must yield \\(X, y\\) batches"),
    (dict(epochs=0), "epochs must be a positive int"),
    (dict(lr=-1), "lr must be a positive number"),
])
def test_fit_rejects_bad_input(kwargs, message):
    X, y = tiny_batch(8)
    args = dict(model=MLP(), train_data=TensorLoader(X, y, 4), progress=False)
    args.update(kwargs)
    with pytest.raises((TypeError, ValueError), match=message):
        fit(args.pop("model"), args.pop("train_data"), **args)


def test_evaluate_rejects_empty_data():
    with pytest.raises(ValueError, match="no batches"):
        evaluate(MLP(), [])


def test_simple_cnn_shapes_and_parameters():
    model = SimpleCNN()
    assert model(torch.zeros(5, 3, 32, 32)).shape == (5, 10)
    # conv1 448 + conv2 4640 + fc1 262272 + fc2 1290
    assert count_parameters(model) == 448 + 4640 + 2048 * 128 + 128 + 1290
    with pytest.raises(RuntimeError):
        model(torch.zeros(1, 3, 64, 64))  # flatten(x, 1) fails loudly, no silent batch change
    with pytest.raises(ValueError, match="multiple of 4"):
        SimpleCNN(image_size=30)


def test_mlp_and_count_parameters_errors():
    assert count_parameters(MLP(12, 4, 3)) == 12 * 4 + 4 + 4 * 3 + 3
    with pytest.raises(ValueError, match="hidden must be a positive int"):
        MLP(hidden=0)
    with pytest.raises(TypeError, match="nn.Module"):
        count_parameters("model")
    frozen = nn.Linear(2, 2).requires_grad_(False)
    assert count_parameters(frozen) == 0 and count_parameters(frozen, False) == 6


def test_tensor_loader_batches_and_shuffles():
    X, y = torch.arange(10.0).view(10, 1), torch.arange(10)
    loader = TensorLoader(X, y, batch_size=4)
    assert len(loader) == 3 and [len(b[1]) for b in loader] == [4, 4, 2]
    assert len(TensorLoader(X, y, 4, drop_last=True)) == 2
    torch.manual_seed(0)
    shuffled = torch.cat([b[1] for b in TensorLoader(X, y, 4, shuffle=True)])
    assert sorted(shuffled.tolist()) == list(range(10)) and shuffled.tolist() != list(range(10))
    assert all(torch.equal(bx.view(-1), by.float()) for bx, by in
               TensorLoader(X, y, 3, shuffle=True))


@pytest.mark.parametrize("args,message", [
    (([1], torch.zeros(1)), "expected tensors"),
    ((torch.zeros(3), torch.zeros(2)), "must match"),
    ((torch.zeros(3), torch.zeros(3), 0), "batch_size must be a positive int"),
])
def test_tensor_loader_bad_input(args, message):
    with pytest.raises((TypeError, ValueError), match=message):
        TensorLoader(*args)
