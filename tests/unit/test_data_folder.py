"""``load_folder``: real PNG and JPEG files in mixed sizes and modes, and every refusal."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from cnncourse.data import DataError, load_folder

# Each class is one flat colour, so a loaded image still tells which class it came from.
COLOURS = {"apples": (200, 30, 30), "grass": (30, 180, 40), "sky": (40, 60, 220)}


def _save(path: Path, rgb: tuple[int, int, int], size: tuple[int, int], mode: str) -> None:
    """Write a flat-colour image of ``size`` (w, h) in PIL ``mode``; format from the suffix."""
    path.parent.mkdir(parents=True, exist_ok=True)
    img = Image.new("RGB", size, rgb)
    if mode == "RGBA":
        img = img.convert("RGBA")
    elif mode == "P":
        img = img.convert("P", palette=Image.Palette.ADAPTIVE, colors=8)
    elif mode == "L":
        img = img.convert("L")
    img.save(path)


def make_tree(root: Path, per_class: int = 10, modes=("RGB", "L", "RGBA", "P")) -> Path:
    """root/<class>/<i>.png|jpg: sizes from 20x30 to 90x50, modes cycled, JPEG for RGB/L."""
    for c, rgb in COLOURS.items():
        for i in range(per_class):
            mode = modes[i % len(modes)]
            suffix = ".jpg" if mode in ("RGB", "L") and i % 2 == 0 else ".png"
            _save(root / c / f"{i}{suffix}", rgb, (20 + 7 * i, 30 + 2 * i), mode)
    return root


def test_mixed_sizes_and_modes_become_one_tensor(tmp_path):
    make_tree(tmp_path)
    (tmp_path / "notes.txt").write_text("not an image folder")     # ignored: a file
    (tmp_path / ".ipynb_checkpoints").mkdir()                       # ignored: hidden
    d = load_folder(tmp_path, image_size=16, progress=False)
    assert d.classes == sorted(COLOURS) and not d.synthetic
    n = len(d.train) + len(d.val) + len(d.test)
    assert n == 30 and len(d.test) == 6 and len(d.val) == 3         # 20% test, 10% of the rest
    assert d.train.X.shape[1:] == (3, 16, 16) and d.train.X.dtype == torch.float32
    assert d.info.shape == (3, 16, 16) and d.info.num_classes == 3
    kinds = []
    for split in (d.train, d.val, d.test):
        assert sorted(set(split.y.tolist())) == [0, 1, 2]           # every class in every split
        pixels = d.denormalize(split.X) * 255                        # (N, 3, 16, 16)
        for img, label in zip(pixels, split.y, strict=True):
            colour = torch.tensor(COLOURS[d.classes[label]], dtype=torch.float32)
            grey = colour @ torch.tensor([0.299, 0.587, 0.114])     # what mode L stored
            mean = img.mean(dim=(1, 2))                              # (3,)
            kinds.append("colour" if (mean - colour).abs().max() < 12 else
                         "grey" if (mean - grey).abs().max() < 12 else f"wrong {mean}")
    # RGB, RGBA and P files keep their colour (7 of 10 per class); L files come back grey.
    assert sorted(kinds) == ["colour"] * 21 + ["grey"] * 9
    # Normalised with the training images' own statistics.
    assert d.train.X.mean(dim=(0, 2, 3)).abs().max() < 1e-3
    assert torch.allclose(d.train.X.std(dim=(0, 2, 3)), torch.ones(3), atol=0.05)


def test_splits_are_fixed_by_seed(tmp_path):
    make_tree(tmp_path, per_class=6)
    a = load_folder(tmp_path, image_size=8, progress=False)
    b = load_folder(tmp_path, image_size=8, progress=False)
    c = load_folder(tmp_path, image_size=8, progress=False, seed=1)
    assert torch.equal(a.test.X, b.test.X) and torch.equal(a.val.y, b.val.y)
    assert not torch.equal(a.test.X, c.test.X)


def test_grey_images_give_one_channel(tmp_path):
    make_tree(tmp_path, per_class=4, modes=("L",))
    d = load_folder(tmp_path, image_size=(12, 20), progress=False)
    assert d.train.X.shape[1:] == (1, 12, 20)


def test_transparent_pixels_become_white(tmp_path):
    for c in ("a", "b"):
        img = Image.new("RGBA", (10, 10), (0, 0, 0, 0))            # fully transparent black
        (tmp_path / c).mkdir()
        img.save(tmp_path / c / "x.png")
        Image.new("RGB", (10, 10), (0, 0, 0)).save(tmp_path / c / "y.png")
    d = load_folder(tmp_path, image_size=4, val_fraction=0, test_fraction=0, progress=False)
    shown = (d.denormalize(d.train.X) * 255).round()
    assert sorted(shown.mean(dim=(1, 2, 3)).tolist()) == [0, 0, 255, 255]


def test_train_test_layout_is_kept(tmp_path):
    make_tree(tmp_path / "train", per_class=5)
    make_tree(tmp_path / "test", per_class=2)
    d = load_folder(tmp_path, image_size=8, progress=False)
    assert len(d.test) == 6 and len(d.train) + len(d.val) == 15
    (tmp_path / "test" / "cars").mkdir()
    _save(tmp_path / "test" / "cars" / "1.png", (1, 2, 3), (8, 8), "RGB")
    with pytest.raises(DataError, match=r"class folder\(s\) \['cars'\].*same classes"):
        load_folder(tmp_path, image_size=8, progress=False)


def test_corrupt_image_is_named_and_skipped(tmp_path, capsys):
    make_tree(tmp_path, per_class=3)
    bad = tmp_path / "sky" / "broken.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0 definitely not a whole jpeg")
    d = load_folder(tmp_path, image_size=8, progress=False)
    assert len(d.train) + len(d.val) + len(d.test) == 9          # the bad one is left out
    out = capsys.readouterr().out
    assert f"{bad}: " in out and "skipped 1 of 10" in out and "replace" in out
    assert [path for path, _ in d.skipped] == [str(bad)]


def test_classes_with_too_few_images_are_refused(tmp_path):
    make_tree(tmp_path, per_class=3)
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "readme.txt").write_text("no images here")
    with pytest.raises(DataError, match=r"too few readable images in .*empty \(0\); each class "
                                        r"needs at least 3 .*looked for .jpg"):
        load_folder(tmp_path, progress=False)
    (tmp_path / "empty" / "readme.txt").unlink()
    (tmp_path / "empty").rmdir()
    (tmp_path / "sky" / "0.jpg").write_bytes(b"")                  # 2 readable images left
    with pytest.raises(DataError, match=r"sky \(2\)") as info:
        load_folder(tmp_path, progress=False)
    assert "apples" not in str(info.value)
    d = load_folder(tmp_path, image_size=8, val_fraction=0, progress=False)  # 2 are enough
    assert len(d.val) == 0 and len(d.test) == 3
    one = tmp_path / "one"
    _save(one / "cats" / "1.png", (1, 2, 3), (5, 5), "RGB")
    with pytest.raises(DataError, match="only the class folder 'cats'.*at least two"):
        load_folder(one, progress=False)
    with pytest.raises(DataError, match="no class folders"):
        load_folder(one / "cats", progress=False)
    with pytest.raises(FileNotFoundError, match="is not a folder"):
        load_folder(tmp_path / "nowhere")


def test_too_large_is_refused_or_subsampled(tmp_path, monkeypatch):
    from cnncourse.data import folder

    make_tree(tmp_path, per_class=10)
    need = 30 * 3 * 64 * 64 * 5
    monkeypatch.setattr(folder, "_available_memory", lambda: 2 * need // 3)  # allows need / 3
    with pytest.raises(DataError, match=r"30 images at 64x64 need about .* max_images=(\d+)"):
        load_folder(tmp_path, image_size=64, progress=False)
    monkeypatch.setattr(folder, "_available_memory", lambda: need)           # allows need / 2
    d = load_folder(tmp_path, image_size=64, max_images=15, progress=False)
    assert len(d.train) + len(d.val) + len(d.test) == 15


@pytest.mark.parametrize("kwargs, words", [
    ({"image_size": 0}, "image_size must be"),
    ({"val_fraction": 1.5}, "val_fraction must be a number"),
    ({"max_images": 1}, "max_images must be"),
])
def test_bad_arguments(tmp_path, kwargs, words):
    make_tree(tmp_path, per_class=2)
    with pytest.raises(ValueError, match=words):
        load_folder(tmp_path, progress=False, **kwargs)


def test_progress_bar_is_shown(tmp_path, capsys):
    make_tree(tmp_path, per_class=3)
    load_folder(tmp_path, image_size=8, progress=True)
    assert "loading images" in capsys.readouterr().err


def test_a_course_model_trains_on_it(tmp_path):
    from cnncourse.models import SimpleCNN
    from cnncourse.train import fit

    make_tree(tmp_path, per_class=8)
    d = load_folder(tmp_path, image_size=32, progress=False)
    model = SimpleCNN(in_channels=d.info.shape[0], num_classes=len(d.classes))
    history = fit(model, d.train.loader(8, shuffle=True),
                  val_data=d.val.loader(8), epochs=1, progress=False, seed=0)
    assert np.isfinite(history["train_loss"][-1])


def _messy_folder(root: Path) -> dict[str, str]:
    """A folder as a phone and a PC leave it; returns {bad file: word its reason must hold}."""
    from PIL import ImageOps  # noqa: F401 - the EXIF tag below is what exif_transpose reads

    for c, rgb in COLOURS.items():
        d = root / c
        d.mkdir(parents=True)
        Image.new("RGB", (30, 20), rgb).save(d / "upper.JPG")
        Image.new("RGB", (25, 25), rgb).save(d / "upper.PNG")
        Image.new("RGB", (20, 30), rgb).convert("CMYK").save(d / "cmyk.jpg")
        Image.new("RGBA", (20, 20), (*rgb, 255)).save(d / "rgba.png")
        Image.new("RGB", (20, 20), rgb).convert("P", palette=Image.Palette.ADAPTIVE).save(
            d / "palette.png")
        grey = np.full((16, 16), 40000, dtype=np.uint16)         # 16-bit grey: 40000 / 65535
        Image.fromarray(grey).save(d / "sixteen.png")
        (d / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")       # hidden: ignored
        (d / "._upper.JPG").write_bytes(b"\x00\x05\x16\x07 AppleDouble")
        (d / ".thumbnails").mkdir()
        Image.new("RGB", (4, 4), (0, 0, 0)).save(d / ".thumbnails" / "t.jpg")
        (d / "notes.txt").write_text("shot on holiday")               # not an image name
    # The EXIF-rotated photo: stored 20 wide x 10 high, left half red, right half blue, with
    # Orientation 6 ("rotate 90 degrees clockwise to show"): shown, red is on top.
    side = Image.new("RGB", (20, 10), (0, 0, 255))
    side.paste((255, 0, 0), (0, 0, 10, 10))
    exif = Image.Exif()
    exif[0x0112] = 6
    side.save(root / "sky" / "rotated.jpg", exif=exif.tobytes(), quality=95)
    good = (root / "sky" / "upper.JPG").read_bytes()
    (root / "apples" / "empty.jpg").write_bytes(b"")
    (root / "grass" / "truncated.jpg").write_bytes(good[: len(good) // 2])
    (root / "grass" / "fake.png").write_text("this is a text file with an image's name")
    return {str(root / "apples" / "empty.jpg"): "empty",
            str(root / "grass" / "truncated.jpg"): "truncated",
            str(root / "grass" / "fake.png"): "not an image"}


def test_a_messy_real_world_folder_loads_in_one_pass(tmp_path, monkeypatch, capsys):
    bad = _messy_folder(tmp_path / "photos")
    monkeypatch.chdir(tmp_path)                                  # a notebook's working folder
    d = load_folder("photos", image_size=8, val_fraction=0, test_fraction=0, progress=False)
    assert d.classes == sorted(COLOURS) and d.train.X.shape == (19, 3, 8, 8)  # 6 x 3 + rotated
    assert {path: reason for path, reason in d.skipped}.keys() == bad.keys()
    for path, reason in d.skipped:
        assert bad[path] in reason
    out = capsys.readouterr().out
    assert "skipped 3 of 22 image files" in out and all(f"{p}: " in out for p in bad)
    assert ".DS_Store" not in out and "notes.txt" not in out and "._upper" not in out
    pixels = d.denormalize(d.train.X) * 255                       # (19, 3, 8, 8)

    def loaded(c: str, name: str) -> torch.Tensor:               # in file-name order, as read
        names = sorted(p.name for p in (tmp_path / "photos" / c).iterdir()
                       if not p.name.startswith(".") and p.suffix != ".txt"
                       and str(p) not in bad)
        return pixels[d.train.y == d.classes.index(c)][names.index(name)]

    shown = loaded("sky", "rotated.jpg")                            # (3, 8, 8)
    top, bottom = shown[:, :3].mean(dim=(1, 2)), shown[:, 5:].mean(dim=(1, 2))
    assert top[0] > 200 > top[2] and bottom[2] > 200 > bottom[0]  # EXIF orientation applied
    grey = loaded("apples", "sixteen.png")
    assert (grey - 40000 / 257).abs().max() < 3                   # 16 bits scaled, not clipped
    cmyk = loaded("grass", "cmyk.jpg").mean(dim=(1, 2))
    assert (cmyk - torch.tensor(COLOURS["grass"], dtype=torch.float32)).abs().max() < 20


def test_capstone_folder_paths_and_messages(tmp_path, monkeypatch):
    from cnncourse.recipes import capstone

    make_tree(tmp_path / "my_photos", per_class=4)
    monkeypatch.chdir(tmp_path)
    data, key = capstone.load_capstone_data("my_photos", image_size=8, progress=False)
    assert key == capstone.FOLDER and len(data.classes) == 3
    monkeypatch.chdir(tmp_path / "my_photos")
    with pytest.raises(ValueError, match="neither a course dataset nor a folder") as info:
        capstone.load_capstone_data("my_photos")
    text = str(info.value)
    assert str(tmp_path / "my_photos" / "my_photos") in text and "dataset='folder'" not in text
    with pytest.raises(ValueError, match="path of your folder") as info:
        capstone.load_capstone_data("folder")
    with pytest.raises(FileNotFoundError, match="starts from the working folder"):
        load_folder("gone")
