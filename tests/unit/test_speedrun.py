"""The speed-run recipe: batch augmentation per image, the one-cycle schedule, mixed precision
settings and the scaled training step, a tiny CPU run."""

import pytest
import torch

from cnncourse.augment import AugmentedLoader, augment_batch
from cnncourse.models import SpeedNet
from cnncourse.recipes.speedrun import (
    SpeedrunConfig,
    amp_settings,
    one_cycle_schedule,
    run_speedrun,
    train_step,
)


def test_augment_batch_crops_each_image_at_its_own_offset():
    X = torch.arange(64 * 1 * 6 * 6, dtype=torch.float32).view(64, 1, 6, 6)
    g = torch.Generator().manual_seed(0)
    out = augment_batch(X, padding=2, flip=False, generator=g)
    assert out.shape == X.shape
    offsets = set()
    for i in range(64):
        padded = torch.nn.functional.pad(X[i], (2, 2, 2, 2))
        found = [(dy, dx) for dy in range(5) for dx in range(5)
                 if torch.equal(padded[:, dy:dy + 6, dx:dx + 6], out[i])]
        assert found, f"image {i} is not a crop of its padded self"
        offsets.add(found[0])
    assert len(offsets) > 10          # different images got different shifts


def test_augment_batch_flips_about_half():
    X = torch.randn(400, 3, 4, 4)
    out = augment_batch(X, padding=0, flip=True, generator=torch.Generator().manual_seed(1))
    flipped = torch.tensor([torch.equal(o, x.flip(-1)) for o, x in zip(out, X)])
    kept = torch.tensor([torch.equal(o, x) for o, x in zip(out, X)])
    assert torch.all(flipped | kept)
    assert 150 < flipped.sum().item() < 250


def _lrs(total):
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=123.0, momentum=0.85)
    schedule = one_cycle_schedule(opt, 2.0, total)
    lrs, momenta = [], []
    for _ in range(total):
        lrs.append(opt.param_groups[0]["lr"])
        momenta.append(opt.param_groups[0]["momentum"])
        opt.step()
        schedule.step()
    return lrs, momenta


def test_one_cycle_schedule_follows_the_hand_written_recipe():
    # The recipe the course used before OneCycleLR: linear from 0.1 up to 1 over the first
    # quarter of the steps, then linear down to 0 (as multipliers of the peak).
    total, peak = 100, 25

    def recipe(step):
        return 0.1 + 0.9 * step / peak if step < peak else 1 - (step - peak) / (total - peak)

    lrs, momenta = _lrs(total)
    assert lrs[0] == pytest.approx(0.2) and max(lrs) == pytest.approx(2.0)
    assert lrs.index(max(lrs)) in (peak - 1, peak)
    assert lrs[-1] == pytest.approx(2.0 * 1e-4)
    for step, lr in enumerate(lrs):
        assert lr / 2.0 == pytest.approx(recipe(step), abs=0.04), step
    assert set(momenta) == {0.85}                      # momentum is not cycled
    with pytest.raises(ValueError, match="total_steps"):
        _lrs(0)


@pytest.mark.parametrize("capability, expected", [
    ((7, 5), (torch.float16, True)),      # T4 (Colab): bf16 only emulated -> fp16 + scaler
    ((7, 0), (torch.float16, True)),      # V100
    ((8, 0), (torch.bfloat16, False)),    # A100
    ((9, 0), (torch.bfloat16, False)),    # H100
])
def test_amp_settings_use_bf16_only_where_the_gpu_has_it(monkeypatch, capability, expected):
    seen = []
    monkeypatch.setattr(torch.cuda, "get_device_capability",
                        lambda device=None: seen.append(device) or capability)
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: True)  # as on a T4
    assert amp_settings("cuda") == expected
    assert amp_settings(torch.device("cuda", 0)) == expected
    assert seen == [torch.device("cuda"), torch.device("cuda", 0)]


def test_amp_settings_are_off_without_cuda(monkeypatch):
    def no_gpu(*_a, **_k):
        raise AssertionError("must not ask a CUDA GPU about a CPU device")

    monkeypatch.setattr(torch.cuda, "get_device_capability", no_gpu)
    assert amp_settings("cpu") == (None, False)
    assert amp_settings("mps") == (None, False)


def _step_setup():
    torch.manual_seed(0)
    model = torch.nn.Linear(4, 3)
    X, y = torch.randn(8, 4), torch.randint(0, 3, (8,))
    return model, X, y, torch.nn.CrossEntropyLoss()


def test_train_step_with_a_scaler_matches_a_plain_step():
    model, X, y, loss_fn = _step_setup()
    twin = torch.nn.Linear(4, 3)
    twin.load_state_dict(model.state_dict())
    scaler = torch.amp.GradScaler("cpu", init_scale=2.0 ** 10)
    loss = train_step(model, X, y, loss_fn, torch.optim.SGD(model.parameters(), lr=0.5),
                      scaler)
    opt = torch.optim.SGD(twin.parameters(), lr=0.5)
    ref = loss_fn(twin(X), y)
    ref.backward()
    opt.step()
    assert loss.item() == pytest.approx(ref.item())    # the loss it reports is unscaled
    for p, q in zip(model.parameters(), twin.parameters()):
        torch.testing.assert_close(p, q)               # gradients were unscaled before the step


def test_train_step_skips_a_step_whose_scaled_gradients_overflow():
    model, X, y, loss_fn = _step_setup()
    before = [p.detach().clone() for p in model.parameters()]
    X = X * 1e3                                        # loss ~1e3: times 1e38 overflows float32
    scaler = torch.amp.GradScaler("cpu", init_scale=1e38)
    train_step(model, X, y, loss_fn, torch.optim.SGD(model.parameters(), lr=0.5), scaler)
    assert all(torch.equal(p, b) for p, b in zip(model.parameters(), before))
    assert scaler.get_scale() < 1e38                   # the scaler backed off for next time
    disabled = torch.amp.GradScaler("cpu", enabled=False)
    train_step(model, X, y, loss_fn, torch.optim.SGD(model.parameters(), lr=0.5), disabled)
    assert not all(torch.equal(p, b) for p, b in zip(model.parameters(), before))


def test_tiny_cpu_speedrun_learns_a_separable_task():
    torch.manual_seed(0)
    y = torch.randint(0, 2, (256,))
    X = torch.randn(256, 3, 8, 8) * 0.3 + (y.float() * 2 - 1).view(-1, 1, 1, 1)
    config = SpeedrunConfig(epochs=3, batch_size=64, lr=0.2, widths=(8, 16), padding=1)
    result = run_speedrun(X, y, X[:128], y[:128], config, device="cpu", progress=False)
    assert len(result["epoch_seconds"]) == 3
    assert result["amp_dtype"] is None and result["grad_scaler"] is False
    assert result["test_acc"] > 0.9
    assert SpeedNet((8, 16))(torch.randn(2, 3, 8, 8)).shape == (2, 10)


def test_bad_input_is_explained():
    with pytest.raises(ValueError, match=r"\(N, C, H, W\)"):
        augment_batch(torch.randn(3, 8, 8))
    with pytest.raises(ValueError, match="padding"):
        augment_batch(torch.randn(1, 3, 8, 8), padding=-1)
    with pytest.raises(TypeError, match="TensorLoader"):
        AugmentedLoader(torch.randn(3))
    with pytest.raises(TypeError, match="SpeedrunConfig"):
        run_speedrun(torch.randn(4, 3, 8, 8), torch.zeros(4).long(), torch.randn(4, 3, 8, 8),
                     torch.zeros(4).long(), config={"epochs": 1})
