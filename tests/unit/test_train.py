"""fit/evaluate: the same weights as a plain PyTorch loop, learns, repeats with a seed,
monitors validation data, handles bad input; models and the loader."""

import pytest
import torch
from torch import nn

from cnncourse.data.loader import TensorLoader
from cnncourse.models import MLP, SimpleCNN, count_parameters
from cnncourse.settings import seed_everything
from cnncourse.train import History, evaluate, fit


def tiny_batch(n=32, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, 3, 32, 32, generator=g), torch.randint(0, 10, (n,), generator=g)


@pytest.mark.parametrize("make_optimizer", [
    lambda params: torch.optim.SGD(params, lr=0.05, momentum=0.9),
    lambda params: torch.optim.Adam(params, lr=1e-3),
], ids=["sgd", "adam"])
def test_fit_gives_the_same_weights_as_a_plain_pytorch_loop(make_optimizer):
    X, y = tiny_batch(48)
    torch.manual_seed(0)
    model = SimpleCNN()
    twin = SimpleCNN()
    twin.load_state_dict(model.state_dict())
    fit(model, TensorLoader(X, y, 16, shuffle=True), epochs=2, seed=7, progress=False,
        optimizer=make_optimizer(model.parameters()))

    optimizer, loss_fn = make_optimizer(twin.parameters()), nn.CrossEntropyLoss()
    seed_everything(7)                                     # the same shuffled batches
    twin.train()
    for _ in range(2):
        for xb, yb in TensorLoader(X, y, 16, shuffle=True):
            loss = loss_fn(twin(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    for (name, p), q in zip(model.named_parameters(), twin.parameters()):
        torch.testing.assert_close(p, q, rtol=0, atol=1e-6, msg=name)
    torch.manual_seed(0)
    start = SimpleCNN()                                    # the initial weights again
    assert not torch.equal(model.fc2.weight, start.fc2.weight), "training changed nothing"


def test_fit_records_validation_and_says_val(capsys):
    X, y = tiny_batch(32)
    Xv, yv = tiny_batch(16, seed=1)
    torch.manual_seed(0)
    model = MLP()
    history = fit(model, TensorLoader(X, y, 8), val_data=TensorLoader(Xv, yv, 8), epochs=2,
                  note="stand-in", progress=True)
    assert set(history) == {"epoch", "train_loss", "train_acc", "val_loss", "val_acc"}
    scores = evaluate(model, TensorLoader(Xv, yv, 4))
    assert history["val_loss"][-1] == pytest.approx(scores["loss"])
    assert history["val_acc"][-1] == pytest.approx(scores["accuracy"])
    printed = capsys.readouterr().err
    assert "val_acc=" in printed and "test_acc" not in printed
    assert "(stand-in)" in printed and history.note == "stand-in"
    assert "note='stand-in'" in repr(history)


def test_fit_takes_held_out_data_only_as_val_data():
    X, y = tiny_batch(16)
    with pytest.raises(TypeError):
        fit(MLP(), TensorLoader(X, y, 8), TensorLoader(X, y, 8), epochs=1, progress=False)


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
        return fit(SimpleCNN(), TensorLoader(X, y, 16, shuffle=True),
                   val_data=TensorLoader(X, y, 32), epochs=2, seed=seed, progress=False)

    first, second, other = run(123), run(123), run(124)
    assert first == second
    assert other["train_loss"] != first["train_loss"]


def test_history_has_all_keys_and_callback_runs_each_epoch():
    X, y = tiny_batch(16)
    seen = []
    history = fit(MLP(), TensorLoader(X, y, 8), val_data=TensorLoader(X, y, 8), epochs=3,
                  progress=False, callback=lambda h: seen.append(len(h["epoch"])))
    assert isinstance(history, History)
    assert set(history) == {"epoch", "train_loss", "train_acc", "val_loss", "val_acc"}
    assert history["epoch"] == [1, 2, 3] and seen == [1, 2, 3]
    assert "3 epochs" in repr(history)


def test_fit_works_with_a_torch_dataloader():
    X, y = tiny_batch(16)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, y), batch_size=8)
    torch.manual_seed(0)
    model = MLP()
    history = fit(model, loader, epochs=3, lr=1e-2, progress=False)
    assert len(history["train_loss"]) == 3
    assert history["train_loss"][-1] < history["train_loss"][0]


def test_fit_and_evaluate_take_any_iterable_of_batches_with_the_same_result():
    """A DataLoader over an ImageSet, a TensorLoader and a plain list give the same weights."""
    from cnncourse.data.containers import ImageSet

    X, y = tiny_batch(40)
    images = ImageSet(X, y, [str(k) for k in range(10)], (0.0,) * 3, (1.0,) * 3)
    xi, yi = images[5]
    assert torch.equal(xi, X[5]) and yi == y[5]
    batches = {
        "dataloader": torch.utils.data.DataLoader(images, batch_size=16, shuffle=False),
        "tensorloader": images.loader(batch_size=16),
        "list": [(X[i:i + 16], y[i:i + 16]) for i in range(0, 40, 16)],
    }
    weights, scores = {}, {}
    for kind, data in batches.items():
        torch.manual_seed(0)
        model = SimpleCNN()
        fit(model, data, epochs=2, lr=1e-3, progress=False)
        weights[kind] = model.fc2.weight.detach().clone()
        scores[kind] = evaluate(model, data)
    for kind in ("tensorloader", "list"):
        assert torch.allclose(weights[kind], weights["dataloader"], atol=1e-6), kind
        assert scores[kind]["accuracy"] == scores["dataloader"]["accuracy"]
        assert scores[kind]["loss"] == pytest.approx(scores["dataloader"]["loss"], rel=1e-5)
    assert not torch.allclose(weights["list"], SimpleCNN().fc2.weight)  # it did train


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
    assert count_parameters(frozen) == 0 and sum(p.numel() for p in frozen.parameters()) == 6


def test_tensor_loader_batches_and_shuffles():
    X, y = torch.arange(10.0).view(10, 1), torch.arange(10)
    loader = TensorLoader(X, y, batch_size=4)
    assert len(loader) == 3 and [len(b[1]) for b in loader] == [4, 4, 2]
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
