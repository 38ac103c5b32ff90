"""cnncourse.recipes.transfer: class splits, few-label draws, the cached pretraining and the three methods."""

import pytest
import torch

from cnncourse.recipes import pretrained, transfer


@pytest.fixture(autouse=True)
def one_thread():
    """Tiny models train several times faster on one thread than on a shared pair of cores."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("CNNCOURSE_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache" / "transfer"


def toy(n_per_class=12, classes=4, seed=0):
    """Images whose class is a bright quadrant: easy, so a few steps learn it."""
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n_per_class * classes, 3, 16, 16, generator=g) * 0.3
    y = torch.arange(classes).repeat_interleave(n_per_class)
    for i, c in enumerate(y.tolist()):
        r, q = divmod(c % 4, 2)
        X[i, c % 3, r * 8:(r + 1) * 8, q * 8:(q + 1) * 8] += 2.0
    return X, y


def test_split_classes_one_of_each_pair_and_errors():
    src, tgt = transfer.split_classes([str(i) for i in range(10)])
    assert src == [0, 2, 4, 6, 8] and tgt == [1, 3, 5, 7, 9]
    assert transfer.split_classes("abcd", source=[3]) == ([3], [0, 1, 2])
    for bad in ([0, 0], [12], list(range(10)), []):
        with pytest.raises(ValueError, match="class indices"):
            transfer.split_classes([str(i) for i in range(10)], source=bad)


def test_select_classes_relabels_in_the_given_order_and_limits():
    X = torch.arange(10.0).view(10, 1, 1, 1)
    y = torch.tensor([0, 1, 2, 1, 0, 2, 1, 2, 0, 1])
    Xs, ys = transfer.select_classes(X, y, [2, 1], limit=2)
    # class 2 -> 0, class 1 -> 1; the first two images of each, in dataset order
    assert Xs.flatten().tolist() == [1.0, 2.0, 3.0, 5.0]
    assert ys.tolist() == [1, 0, 1, 0]
    with pytest.raises(ValueError, match="no image of class 7"):
        transfer.select_classes(X, y, [7])


def test_few_per_class_is_balanced_seeded_and_says_when_too_few():
    X, y = toy(n_per_class=12)
    Xk, yk = transfer.few_per_class(X, y, 5, seed=3)
    assert torch.bincount(yk).tolist() == [5, 5, 5, 5]
    assert torch.equal(Xk, transfer.few_per_class(X, y, 5, seed=3)[0])
    assert not torch.equal(Xk, transfer.few_per_class(X, y, 5, seed=4)[0])
    with pytest.raises(ValueError, match="only 12 images"):
        transfer.few_per_class(X, y, 13)


def test_backbone_works_with_the_pretrained_helpers():
    model = transfer.CourseBackbone(5, width=4)
    x = torch.randn(2, 3, 32, 32)
    assert model(x).shape == (2, 5)
    assert pretrained.extract_features(model, x).shape == (2, 16)       # 4 * width
    pretrained.replace_head(model, 3)
    assert model(x).shape == (2, 3)
    assert pretrained.freeze_backbone(model) == 16 * 3 + 3


def test_pretrain_learns_and_the_cache_returns_the_same_weights(cache):
    X, y = toy()
    model, info = transfer.pretrain(X, y, steps=40, width=4, batch_size=16, augmented=False)
    assert not info.cached and info.path is not None and info.path.parent == cache
    assert info.train_accuracy > 0.6                   # chance is 0.25
    again, info2 = transfer.pretrain(X, y, steps=40, width=4, batch_size=16, augmented=False)
    assert info2.cached and info2.path == info.path
    for a, b in zip(model.state_dict().values(), again.state_dict().values()):
        assert torch.equal(a, b)
    # other settings or other images: another key, trained again
    _, info3 = transfer.pretrain(X, y, steps=41, width=4, batch_size=16, augmented=False)
    _, info4 = transfer.pretrain(X + 0.01, y, steps=40, width=4, batch_size=16, augmented=False)
    assert not info3.cached and not info4.cached
    assert len({info.path, info3.path, info4.path}) == 3


def test_a_corrupt_cache_file_is_retrained(cache):
    X, y = toy()
    _, info = transfer.pretrain(X, y, steps=5, width=4, augmented=False)
    info.path.write_bytes(b"not a checkpoint")
    _, again = transfer.pretrain(X, y, steps=5, width=4, augmented=False)
    assert not again.cached and again.path == info.path
    assert transfer.pretrain(X, y, steps=5, width=4, augmented=False)[1].cached


def test_cache_off_writes_nothing(cache):
    X, y = toy()
    _, info = transfer.pretrain(X, y, steps=3, width=4, cache=False)
    assert info.path is None and not cache.exists()


def test_cache_dir_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.delenv("CNNCOURSE_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert transfer.cache_dir() == tmp_path / "cnncourse" / "transfer"


def _same(a, b):
    return all(torch.equal(p, q) for p, q in zip(a.state_dict().values(),
                                                 b.state_dict().values()))


def test_reuse_methods_train_what_they_should(cache):
    X, y = toy()
    backbone, _ = transfer.pretrain(X, y, steps=30, width=4, augmented=False)
    before = {k: v.clone() for k, v in backbone.state_dict().items()}
    Xk, yk = toy(n_per_class=6, classes=3, seed=1)

    fe = transfer.reuse(backbone, Xk, yk, "feature extraction", steps=10, augmented=False)
    ft = transfer.reuse(backbone, Xk, yk, "fine-tuning", steps=10, augmented=False)
    sc = transfer.reuse(backbone, Xk, yk, "from scratch", steps=10, augmented=False)
    for model in (fe, ft, sc):
        assert model(Xk).shape == (18, 3)
    # the backbone itself is never modified
    assert all(torch.equal(v, before[k]) for k, v in backbone.state_dict().items())
    # feature extraction keeps the pretrained convolutions; fine-tuning changes them
    conv = "features.0.0.weight"
    assert torch.equal(fe.state_dict()[conv], before[conv])
    assert not torch.equal(ft.state_dict()[conv], before[conv])
    # from scratch does not start from the pretrained weights
    assert not torch.equal(sc.state_dict()[conv], before[conv])
    with pytest.raises(ValueError, match="method must be one of"):
        transfer.reuse(backbone, Xk, yk, "distillation")


def test_compare_gives_every_method_the_same_draw_and_fine_tuning_learns(cache):
    """Five labels per class of two new classes, with a backbone pretrained on related ones."""
    X, y = toy(n_per_class=40, classes=4)
    backbone, _ = transfer.pretrain(X[y < 2], y[y < 2], steps=80, width=4, batch_size=16,
                                    augmented=False)
    tgt = (X[y >= 2], y[y >= 2] - 2)
    val = (toy(n_per_class=20, classes=4, seed=5)[0][40:], torch.tensor([0] * 20 + [1] * 20))
    rows = transfer.compare(backbone, tgt, val, per_class=(5,), steps=30, augmented=False)
    assert [r["method"] for r in rows] == list(transfer.METHODS)
    assert all(len(r["models"]) == 1 and r["accs"] == [r["val_acc"]] for r in rows)
    acc = {r["method"]: r["val_acc"] for r in rows}
    assert acc["fine-tuning"] > 0.5                    # chance is 0.5 on two classes


def test_accuracy_against_a_hand_count():
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Identity())
    X = torch.tensor([[[[1.0, 0.0]]], [[[0.0, 1.0]]], [[[1.0, 0.0]]]])     # (3, 1, 1, 2)
    assert transfer.accuracy(model, X, torch.tensor([0, 1, 1])) == pytest.approx(2 / 3)


def test_transfer_training_is_fit_and_matches_a_plain_loop():
    """transfer._train runs through cnncourse.train.fit and gives a plain Adam loop's weights."""
    from torch import nn

    from cnncourse.augment import augment_batch
    from cnncourse.recipes import transfer

    def make():
        torch.manual_seed(0)
        return nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 6 * 6, 3))

    X, y = torch.randn(50, 3, 8, 8), torch.randint(0, 3, (50,))
    for augmented in (False, True):
        ours = transfer._train(make(), X, y, steps=9, lr=1e-2, batch_size=16, seed=3,
                               augmented=augmented)
        plain = make()
        opt = torch.optim.Adam(plain.parameters(), lr=1e-2)
        torch.manual_seed(3)                       # fit(seed=3): shuffles and shifts repeat
        order, at = torch.randperm(50), 0
        for _ in range(9):
            if at >= 50:
                order, at = torch.randperm(50), 0
            idx = order[at:at + 16]
            at += 16
            xb = augment_batch(X[idx], padding=2) if augmented else X[idx]
            loss = nn.functional.cross_entropy(plain(xb), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
        for a, b in zip(ours.parameters(), plain.parameters()):
            assert torch.allclose(a, b, atol=1e-6), f"augmented={augmented}: weights differ"
