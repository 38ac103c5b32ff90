"""examples/train_your_photos.py on a messy folder, run as a learner runs it: without cnncourse.

The folder holds every quirk a phone and a PC leave behind (hidden files and folders, a text
file, empty, truncated and corrupt images, CMYK/RGBA/palette/grayscale/16-bit images, an EXIF
rotation, upper-case extensions). The classes are stripe directions, so a tiny CNN learns them
in a few epochs at 16 pixels.
"""

import importlib.util
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from PIL import Image

SCRIPT = next(p / "examples" / "train_your_photos.py" for p in Path(__file__).resolve().parents
              if (p / "examples" / "train_your_photos.py").is_file())   # wherever tests/ moves


def _script():
    """The script as a module, for its functions (it never imports cnncourse)."""
    spec = importlib.util.spec_from_file_location("train_your_photos", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def stripes(kind: str, side: int = 24, shift: int = 0) -> Image.Image:
    """An RGB image of 'rows' (horizontal stripes), 'cols' (vertical) or 'dots' (checks)."""
    im = Image.new("RGB", (side, side))
    for x in range(side):
        for y in range(side):
            on = {"rows": (y + shift) // 3 % 2, "cols": (x + shift) // 3 % 2,
                  "dots": ((x + shift) // 3 + y // 3) % 2}[kind]
            im.putpixel((x, y), (230, 200, 40) if on else (20, 40, 120))
    return im


def make_messy_folder(root: Path, per_class: int = 10) -> dict[str, str]:
    """Write three class folders plus every quirk; return {bad file name: reason fragment}."""
    for kind in ("rows", "cols", "dots"):
        (root / kind).mkdir(parents=True)
        for i in range(per_class):
            stripes(kind, shift=i).save(root / kind / f"img_{i}.{'JPG' if i % 2 else 'png'}")
    d = root / "rows"
    stripes("rows").convert("CMYK").save(d / "cmyk.jpg")
    stripes("rows").convert("RGBA").save(d / "rgba.png")
    stripes("rows").convert("P").save(d / "palette.gif")
    stripes("rows").convert("L").save(d / "gray.PNG")
    stripes("rows").convert("L").convert("I").point(lambda v: v * 257).convert("I;16").save(
        d / "sixteen.png")
    # Stored as horizontal stripes (cols turned on its side) with "rotate 90 clockwise" in EXIF.
    exif = Image.Exif()
    exif[0x0112] = 6
    stripes("cols").rotate(90).save(root / "cols" / "phone.jpeg", exif=exif)
    (root / "cols" / ".hidden_dir").mkdir()
    stripes("rows").save(root / "cols" / ".hidden_dir" / "wrong_class.png")  # must be ignored
    buf = io.BytesIO()
    stripes("dots").save(buf, "JPEG")
    bad = {".DS_Store": "hidden file", "notes.txt": "not an image extension",
           "empty.jpg": "empty file", "truncated.jpg": "truncated or corrupt",
           "corrupt.png": "truncated or corrupt"}
    (root / "dots" / ".DS_Store").write_bytes(b"\0\1junk")
    (root / "dots" / "notes.txt").write_text("my cat photos")
    (root / "dots" / "empty.jpg").write_bytes(b"")
    (root / "dots" / "truncated.jpg").write_bytes(buf.getvalue()[:len(buf.getvalue()) // 2])
    (root / "dots" / "corrupt.png").write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(200))
    (root / "readme.md").write_text("photos from my phone")
    bad["readme.md"] = "not inside a class folder"
    bad[".hidden_dir"] = "hidden folder"
    return bad


BLOCKER = """\
import sys


class _NoCnncourse:
    def find_spec(self, name, path=None, target=None):
        if name == "cnncourse" or name.startswith("cnncourse."):
            raise ImportError("cnncourse is blocked in this test")


sys.meta_path.insert(0, _NoCnncourse())   # ahead of the editable install's own finder
"""


def _env(tmp_path: Path) -> dict[str, str]:
    """An environment where `import cnncourse` fails and weight downloads are refused at once."""
    block = tmp_path / "block"
    block.mkdir()
    (block / "sitecustomize.py").write_text(BLOCKER)   # Python imports it at start-up
    return dict(os.environ, PYTHONPATH=str(block), TORCH_HOME=str(tmp_path / "torch"),
                https_proxy="http://127.0.0.1:9", HTTPS_PROXY="http://127.0.0.1:9",
                no_proxy="", NO_PROXY="")


def _run(env, cwd, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *map(str, args)], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def test_script_trains_saves_and_predicts_without_cnncourse(tmp_path):
    photos = tmp_path / "photos"
    bad = make_messy_folder(photos)
    env = _env(tmp_path)
    blocked = subprocess.run([sys.executable, "-c", "import cnncourse"], env=env,
                             capture_output=True, text=True)
    assert blocked.returncode != 0 and "blocked" in blocked.stderr   # the block really works

    out = tmp_path / "out"
    run = _run(env, tmp_path, photos, "--out", out, "--epochs", 6, "--size", 16, "--pretrained")
    assert run.returncode == 0, run.stderr
    log = run.stdout
    assert "pretrained weights unavailable" in log and "from scratch" in log   # one line, labelled
    for name, reason in bad.items():
        lines = [ln for ln in log.splitlines() if ln.startswith("skipped") and name in ln]
        assert len(lines) == 1 and reason in lines[0], (name, log)
    assert "wrong_class.png" not in log and "sixteen.png" not in log and "cmyk" not in log
    assert "found 36 usable images in 3 classes (cols: 11, dots: 10, rows: 15); skipped 7" in log
    val = [ln for ln in log.splitlines() if ln.startswith("validation accuracy")]
    assert len(val) == 1 and "%" in val[0] and "noise ±" in val[0] and "from scratch" in val[0]

    ckpt = torch.load(out / "model.pt", weights_only=True)
    assert ckpt["classes"] == ["cols", "dots", "rows"]
    assert ckpt["preprocess"]["crop"] == 16 and len(ckpt["preprocess"]["mean"]) == 3
    model = _script().build(ckpt["arch"], 3)
    model.load_state_dict(ckpt["state_dict"])       # the weights fit the architecture named

    pred = _run(env, tmp_path, "--predict", out / "model.pt", photos / "cols" / "phone.jpeg")
    assert pred.returncode == 0, pred.stderr
    first = pred.stdout.splitlines()[0]
    name, prob = first.split(": ")
    assert name in ckpt["classes"] and prob.endswith("%") and 0 <= float(prob[:-1]) <= 100


@pytest.mark.parametrize("layout, message", [
    ({"only": 8}, "needs at least two"),
    ({"a": 8, "b": 3}, "too few usable images in b (3)"),
    ({"train": 6, "test": 6}, "looks like a ready-made split"),
])
def test_refuses_folders_it_cannot_learn_from(tmp_path, layout, message):
    for cls, n in layout.items():
        (tmp_path / cls).mkdir()
        for i in range(n):
            stripes("rows", shift=i).save(tmp_path / cls / f"{i}.png")
    args = _script().parse_args([str(tmp_path), "--out", str(tmp_path / "out")])
    with pytest.raises(SystemExit) as err:
        _script().main_train(args)
    assert message in str(err.value) and "error:" in str(err.value)
    assert not (tmp_path / "out" / "model.pt").exists()


def test_refuses_a_missing_folder_and_a_missing_out(tmp_path):
    script = _script()
    with pytest.raises(SystemExit, match="is not a folder"):
        script.main_train(script.parse_args([str(tmp_path / "nope"), "--out", str(tmp_path)]))
    with pytest.raises(SystemExit):
        script.parse_args([str(tmp_path)])           # training needs --out


def test_images_come_out_upright_rgb_and_full_range(tmp_path):
    script = _script()
    exif = Image.Exif()
    exif[0x0112] = 6                                 # "rotate 90 clockwise to view"
    Image.new("RGB", (40, 20), "red").save(tmp_path / "phone.jpg", exif=exif)
    assert script.load_rgb(tmp_path / "phone.jpg", 20).size == (20, 40)   # portrait, upright
    Image.new("I;16", (20, 20), 65535).save(tmp_path / "deep.png")
    assert script.load_rgb(tmp_path / "deep.png", 20).getpixel((5, 5)) == (255, 255, 255)
    Image.new("I;16", (20, 20), 257 * 100).save(tmp_path / "mid.png")
    assert script.load_rgb(tmp_path / "mid.png", 20).getpixel((5, 5)) == (100, 100, 100)
    Image.new("RGBA", (20, 20), (0, 0, 0, 0)).save(tmp_path / "clear.png")
    assert script.load_rgb(tmp_path / "clear.png", 20).getpixel((5, 5)) == (255, 255, 255)
    Image.new("CMYK", (20, 20), (0, 255, 255, 0)).save(tmp_path / "print.jpg")
    r, g, b = script.load_rgb(tmp_path / "print.jpg", 20).getpixel((5, 5))
    assert r > 200 and g < 60 and b < 60                          # cyan 0, magenta+yellow: red


def test_pretrained_path_uses_the_weights_api_and_their_preprocessing(tmp_path, monkeypatch,
                                                                       capsys):
    """With weights in torch's cache (random ones here: no download), --pretrained fine-tunes."""
    from torchvision.models import MobileNet_V3_Small_Weights, mobilenet_v3_small

    weights = MobileNet_V3_Small_Weights.DEFAULT
    cache = tmp_path / "torch" / "hub" / "checkpoints"
    cache.mkdir(parents=True)
    torch.save(mobilenet_v3_small().state_dict(), cache / weights.url.rsplit("/", 1)[1])
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    photos = tmp_path / "photos"
    make_messy_folder(photos, per_class=6)
    script = _script()
    script.main_train(script.parse_args([str(photos), "--out", str(tmp_path / "out"),
                                         "--epochs", "1", "--pretrained"]))
    log = capsys.readouterr().out
    assert "unavailable" not in log and "fine-tuned ImageNet MobileNetV3-Small, 224x224" in log
    ckpt = torch.load(tmp_path / "out" / "model.pt", weights_only=True)
    t = weights.transforms()
    assert ckpt["arch"] == "mobilenet_v3_small"
    assert ckpt["preprocess"] == {"resize": t.resize_size[0], "crop": t.crop_size[0],
                                  "mean": list(t.mean), "std": list(t.std)}
    script.main_predict(str(tmp_path / "out" / "model.pt"), str(photos / "rows" / "img_1.JPG"))
    assert capsys.readouterr().out.splitlines()[0].split(": ")[0] in ("cols", "dots", "rows")


def test_noise_is_honest_for_few_images():
    script = _script()
    assert script.noise(1.0, 7) > 20                     # 7 of 7 right still leaves doubt
    assert abs(script.noise(0.5, 10_000) - 1.0) < 0.01   # two standard errors at large n
    assert script.noise(0.8, 60) < script.noise(0.8, 15)


def test_split_is_stratified_and_reproducible():
    script = _script()
    samples = [(torch.zeros(1), c) for c in range(2) for _ in range(40)]
    a, b = script.split(samples, 2, seed=3), script.split(samples, 2, seed=3)
    assert [id(s) for s in a["validation"]] == [id(s) for s in b["validation"]]
    for part, n in (("validation", 8), ("test", 6), ("train", 26)):
        assert [sum(1 for _, y in a[part] if y == c) for c in range(2)] == [n, n], part
    few = script.split(samples[:10] + samples[40:50], 2, seed=0)
    assert few["test"] == [] and len(few["validation"]) == 4
