"""The speed-run recipe: batch augmentation per image, the one-cycle schedule, a tiny CPU run."""

import pytest
import torch

from cnncourse.speedrun import (
    AugmentedLoader,
    SpeedNet,
    SpeedrunConfig,
    augment_batch,
    one_cycle,
    run_speedrun,
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


def test_one_cycle_rises_then_falls():
    f = one_cycle(100, warmup=0.2)
    values = [f(i) for i in range(101)]
    assert values[0] == pytest.approx(0.1) and max(values) == pytest.approx(1.0)
    assert values.index(max(values)) == 20 and values[-1] == pytest.approx(0.0)
    with pytest.raises(ValueError, match="total_steps"):
        one_cycle(0)


def test_tiny_cpu_speedrun_learns_a_separable_task():
    torch.manual_seed(0)
    y = torch.randint(0, 2, (256,))
    X = torch.randn(256, 3, 8, 8) * 0.3 + (y.float() * 2 - 1).view(-1, 1, 1, 1)
    config = SpeedrunConfig(epochs=3, batch_size=64, lr=0.2, widths=(8, 16), padding=1)
    result = run_speedrun(X, y, X[:128], y[:128], config, device="cpu", progress=False)
    assert len(result["epoch_seconds"]) == 3 and result["amp_dtype"] is None
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
