"""Train an image classifier on your own photos: torch, torchvision and PIL only.

Put your photos in one sub-folder per class, then train and predict:

    python train_your_photos.py PHOTOS_DIR --out OUT_DIR [--epochs N] [--size PIXELS] [--pretrained]
    python train_your_photos.py --predict OUT_DIR/model.pt IMAGE

    PHOTOS_DIR/
        cats/  IMG_0001.JPG  img_0002.png ...
        dogs/  ...

The script copes with the folders people really have: hidden files, text files, empty,
truncated and corrupt images are all listed in one pass (path and reason) and skipped;
CMYK, RGBA, palette, grayscale and 16-bit images become ordinary RGB; phone photos are turned
upright from their EXIF orientation. It splits the photos into training, validation (and test,
when there are enough) the same way every run, and says how far the validation accuracy of a
small folder can be trusted.

`--pretrained` fine-tunes MobileNetV3-Small with its ImageNet weights (downloaded once by
torchvision). Without a network it says so in one line and trains a small CNN from scratch.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import sys
import time
from pathlib import Path

import torch
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError
from torch import nn
from torch.utils.data import DataLoader, Dataset
from torchvision.transforms import v2
from torchvision.transforms.v2 import functional as TF

# Extensions PIL reads that phones and cameras produce; compared in lower case (IMG_1.JPG).
IMAGE_EXTENSIONS = {".jpg", ".jpeg", ".png", ".bmp", ".gif", ".tif", ".tiff", ".webp"}
MIN_PER_CLASS = 5        # below this a class cannot give both training and validation images
TEST_PER_CLASS = 30      # classes this big also give a test split, scored once at the end
ImageFile.LOAD_TRUNCATED_IMAGES = False  # a truncated file is an error we report, not grey pixels


# ---------------------------------------------------------------- 1. read one image safely

def load_rgb(path: Path, side: int) -> Image.Image:
    """Decode one image fully, upright, as RGB, shrunk so its shorter side is `side` pixels."""
    with Image.open(path) as im:          # opening reads only the header: it is lazy
        im.draft("RGB", (side, side))      # JPEGs may decode at 1/2, 1/4, 1/8 size: much faster
        im = ImageOps.exif_transpose(im)   # phones store "rotate me" in EXIF instead of pixels
        im.load()                          # decoding is what finds truncated or corrupt files
    im = to_rgb(im)
    return TF.resize(im, side, antialias=True)    # shorter side -> side, aspect kept


def to_rgb(im: Image.Image) -> Image.Image:
    """Turn any PIL mode (CMYK, RGBA, palette, L, 16-bit) into 8-bit RGB."""
    if im.mode in ("I;16", "I;16L", "I;16B", "I"):   # 16-bit: scale 0..65535 down to 0..255
        im = im.convert("I").point(lambda v: v / 257).convert("L")
    if im.mode == "P":                               # a palette may hide transparency
        im = im.convert("RGBA")
    if im.mode in ("RGBA", "LA"):                    # paste on white: transparent is not black
        background = Image.new("RGB", im.size, "white")
        background.paste(im.convert("RGBA"), mask=im.convert("RGBA").getchannel("A"))
        return background
    return im.convert("RGB")                         # CMYK, L, YCbCr, ...


def square(im: Image.Image, side: int) -> torch.Tensor:
    """The centre `side` x `side` square of an image as a uint8 tensor."""
    return TF.pil_to_tensor(TF.center_crop(im, [side, side]))    # (3, side, side)


# ---------------------------------------------------------------- 2. scan the folder once

def scan_folder(root: Path, side: int) -> tuple[list[str], list[tuple[torch.Tensor, int]], list]:
    """Load every usable image under root/<class>/ and list every file skipped, with why.

    Returns (classes, [(image (3, side, side) uint8, class index)], [(path, reason)]).
    """
    skipped = []
    classes = sorted(d.name for d in root.iterdir() if d.is_dir() and not d.name.startswith("."))
    for f in sorted(root.iterdir()):
        if f.name.startswith("."):
            skipped.append((f, "hidden folder" if f.is_dir() else "hidden file"))
        elif f.is_file():
            skipped.append((f, "not inside a class folder"))
    samples = []
    for label, name in enumerate(classes):
        for dirpath, dirnames, filenames in os.walk(root / name):
            hidden = sorted(d for d in dirnames if d.startswith("."))      # .thumbnails, .git
            skipped += [(Path(dirpath) / d, "hidden folder") for d in hidden]
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for fname in sorted(filenames):
                path = Path(dirpath) / fname
                reason = check_image(path)
                if reason is None:
                    try:
                        samples.append((square(load_rgb(path, side), side), label))
                        continue
                    except Exception as e:   # PIL raises OSError, SyntaxError, ValueError...
                        reason = f"truncated or corrupt image ({type(e).__name__}: {e})"
                skipped.append((path, reason))
    return classes, samples, skipped


def check_image(path: Path) -> str | None:
    """Why a file is not a photo to train on, or None when it should be decoded."""
    if path.name.startswith("."):
        return "hidden file"                     # .DS_Store, ._IMG_1.JPG (macOS), ...
    if path.suffix.lower() not in IMAGE_EXTENSIONS:
        return f"not an image extension ({path.suffix or 'none'})"
    if path.stat().st_size == 0:
        return "empty file (0 bytes)"
    return None


# ---------------------------------------------------------------- 3. split and normalise

def split(samples: list, n_classes: int, seed: int) -> dict[str, list]:
    """Stratified train/validation(/test) split: each class is cut in the same proportions."""
    rng = random.Random(seed)                    # same split every run, whatever else is random
    by_class = [[s for s in samples if s[1] == c] for c in range(n_classes)]
    with_test = min(len(b) for b in by_class) >= TEST_PER_CLASS
    parts = {"train": [], "validation": [], "test": []}
    for items in by_class:
        rng.shuffle(items)
        n_val = max(1, round(0.2 * len(items)))
        n_test = round(0.15 * len(items)) if with_test else 0
        parts["validation"] += items[:n_val]
        parts["test"] += items[n_val:n_val + n_test]
        parts["train"] += items[n_val + n_test:]
    return parts


def channel_stats(train: list) -> tuple[list[float], list[float]]:
    """Mean and std of each colour channel over the training images only (no peeking)."""
    x = torch.stack([img for img, _ in train]).float() / 255        # (N, 3, H, W)
    return x.mean(dim=(0, 2, 3)).tolist(), x.std(dim=(0, 2, 3)).tolist()


class Photos(Dataset):
    """Decoded images in memory, transformed on the fly (random for training)."""

    def __init__(self, items: list, transform: v2.Transform):
        self.items, self.transform = items, transform

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, i: int):
        img, label = self.items[i]
        return self.transform(img), label


def eval_transform(prep: dict) -> v2.Transform:
    """What every validation, test and prediction image goes through."""
    return v2.Compose([v2.CenterCrop(prep["crop"]), v2.ToDtype(torch.float32, scale=True),
                       v2.Normalize(prep["mean"], prep["std"])])


def train_transform(prep: dict) -> v2.Transform:
    """Eval's steps plus random crops and flips, so each epoch sees slightly new photos."""
    return v2.Compose([v2.RandomResizedCrop(prep["crop"], scale=(0.6, 1.0), antialias=True),
                       v2.RandomHorizontalFlip(), v2.ToDtype(torch.float32, scale=True),
                       v2.Normalize(prep["mean"], prep["std"])])


# ---------------------------------------------------------------- 4. the models

def small_cnn(n_classes: int) -> nn.Module:
    """Four conv blocks, then AdaptiveAvgPool2d: the head's size never depends on --size."""
    def block(c_in, c_out):
        return [nn.Conv2d(c_in, c_out, 3, padding=1), nn.BatchNorm2d(c_out), nn.ReLU(),
                nn.MaxPool2d(2)]
    return nn.Sequential(*block(3, 32), *block(32, 64), *block(64, 128), *block(128, 128),
                         nn.AdaptiveAvgPool2d(1),   # (N, 128, h, w) -> (N, 128, 1, 1) for any h, w
                         nn.Flatten(), nn.Dropout(0.2), nn.Linear(128, n_classes))


def mobilenet(n_classes: int, weights=None) -> nn.Module:
    """MobileNetV3-Small with a new last layer sized from the one it replaces."""
    from torchvision.models import mobilenet_v3_small
    model = mobilenet_v3_small(weights=weights)
    old = model.classifier[-1]
    model.classifier[-1] = nn.Linear(old.in_features, n_classes)   # 1024 -> your classes
    return model


def build(arch: str, n_classes: int, weights=None) -> nn.Module:
    """The model named in a checkpoint (weights only when fine-tuning from ImageNet)."""
    return mobilenet(n_classes, weights) if arch == "mobilenet_v3_small" else small_cnn(n_classes)


def pretrained_weights():
    """ImageNet weights through torchvision's weights API, or (None, reason) offline."""
    from torchvision.models import MobileNet_V3_Small_Weights
    weights = MobileNet_V3_Small_Weights.DEFAULT
    try:
        weights.get_state_dict(progress=False)      # downloads once, then reads the cache
        return weights, None
    except Exception as e:     # no network, proxy, firewall, a half-written cache file...
        return None, f"{type(e).__name__}: {str(e).splitlines()[0][:120] if str(e) else ''}"


# ---------------------------------------------------------------- 5. train and evaluate

def accuracy(model: nn.Module, loader: DataLoader) -> float:
    """Fraction of images whose highest logit is the right class."""
    model.eval()
    correct = total = 0
    with torch.no_grad():
        for x, y in loader:
            correct += (model(x).argmax(dim=1) == y).sum().item()
            total += len(y)
    return correct / max(total, 1)


def noise(acc: float, n: int) -> float:
    """Two standard errors of an accuracy measured on n images, in points."""
    # Counting two more right and two more wrong answers (Agresti-Coull) keeps the noise
    # honest for few images: 7 of 7 right is not "100% give or take 0".
    p = (acc * n + 2) / (n + 4)
    return 200 * math.sqrt(p * (1 - p) / (n + 4))


def train(model, parts, prep, epochs, lr, seed) -> tuple[nn.Module, float]:
    """Train with AdamW; keep the weights of the epoch with the best validation accuracy."""
    g = torch.Generator().manual_seed(seed)
    train_dl = DataLoader(Photos(parts["train"], train_transform(prep)), batch_size=32,
                          shuffle=True, generator=g)
    val_dl = DataLoader(Photos(parts["validation"], eval_transform(prep)), batch_size=64)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.05)
    loss_fn = nn.CrossEntropyLoss()
    best_acc, best_state = -1.0, None
    for epoch in range(1, epochs + 1):
        model.train()
        total_loss = 0.0
        for x, y in train_dl:                 # x: (B, 3, crop, crop), y: (B,)
            loss = loss_fn(model(x), y)       # 1. forward, 2. loss
            opt.zero_grad()                   # 3. forget last step's gradients
            loss.backward()                   # 4. backward
            opt.step()                        # 5. update
            total_loss += loss.item() * len(y)
        val_acc = accuracy(model, val_dl)
        print(f"epoch {epoch:>2}/{epochs}  train loss {total_loss / len(train_dl.dataset):.3f}"
              f"  validation {100 * val_acc:.1f}%", flush=True)
        if val_acc > best_acc:                # the validation split chooses; test never does
            best_acc = val_acc
            best_state = {k: v.clone() for k, v in model.state_dict().items()}
    model.load_state_dict(best_state)
    return model, best_acc


def main_train(args) -> None:
    """Scan, split, train, report with noise, save."""
    root = Path(args.photos_dir).expanduser()
    if not root.is_dir():
        sys.exit(f"error: {root} is not a folder. Give the folder that holds one sub-folder "
                 "per class, e.g. photos/ with photos/cats/ and photos/dogs/.")
    torch.manual_seed(args.seed)
    arch, weights, why_not = "small_cnn", None, None
    if args.pretrained:
        weights, why_not = pretrained_weights()
        if weights is None:
            print(f"pretrained weights unavailable ({why_not}): training a small CNN from "
                  "scratch instead")
        else:
            arch = "mobilenet_v3_small"

    # Pretrained weights expect their own resolution and colour statistics; ours come from
    # the training split (computed below, after the split, so validation never leaks in).
    if weights is not None:
        t = weights.transforms()                       # ImageClassification: 256 -> 224
        prep = {"resize": t.resize_size[0], "crop": t.crop_size[0],
                "mean": list(t.mean), "std": list(t.std)}
    else:
        prep = {"resize": args.size * 8 // 7, "crop": args.size}

    start = time.time()
    classes, samples, skipped = scan_folder(root, prep["resize"])
    for path, reason in skipped:
        print(f"skipped {path}: {reason}")
    counts = {c: sum(1 for _, y in samples if y == i) for i, c in enumerate(classes)}
    print(f"found {len(samples)} usable images in {len(classes)} classes "
          f"({', '.join(f'{c}: {n}' for c, n in counts.items())}); skipped {len(skipped)} files "
          f"({time.time() - start:.1f} s)")
    if len(classes) < 2:
        sys.exit(f"error: {root} has {len(classes)} class folder(s) ({', '.join(classes) or 'none'})"
                 "; a classifier needs at least two. Make one sub-folder per class, e.g. "
                 f"{root}/cats/ and {root}/dogs/, and put each class's images in its folder.")
    if {c.lower() for c in classes} <= {"train", "test", "val", "valid", "validation"}:
        sys.exit(f"error: the class folders of {root} are {', '.join(classes)}: that looks like "
                 f"a ready-made split. Give the folder that holds the classes, e.g. {root}/train "
                 "(this script makes its own validation and test splits).")
    small = [f"{c} ({n})" for c, n in counts.items() if n < MIN_PER_CLASS]
    if small:
        sys.exit(f"error: too few usable images in {', '.join(small)}; each class needs at "
                 f"least {MIN_PER_CLASS} (dozens to learn well). Add images to those folders "
                 "or remove them.")

    parts = split(samples, len(classes), args.seed)
    if weights is None:
        prep["mean"], prep["std"] = channel_stats(parts["train"])
    print(f"split: {len(parts['train'])} train, {len(parts['validation'])} validation, "
          f"{len(parts['test'])} test" + ("" if parts["test"] else
                                          f" (a test split needs {TEST_PER_CLASS}+ per class)"))

    model = build(arch, len(classes), weights)
    label = ("fine-tuned ImageNet MobileNetV3-Small" if weights is not None
             else "small CNN trained from scratch")
    print(f"training: {label}, {prep['crop']}x{prep['crop']} pixels, {args.epochs} epochs",
          flush=True)
    model, val_acc = train(model, parts, prep, args.epochs,
                           lr=3e-4 if weights is not None else 2e-3, seed=args.seed)

    n_val = len(parts["validation"])
    majority = max(sum(1 for _, y in parts["validation"] if y == c)
                   for c in range(len(classes))) / n_val
    print(f"validation accuracy {100 * val_acc:.1f}% on {n_val} images "
          f"(noise ±{noise(val_acc, n_val):.1f} points; always guessing the commonest class: "
          f"{100 * majority:.1f}%) [{label}]")
    print(f"  that is the best of {args.epochs} epochs, chosen on these same images, so it leans "
          "high" + ("; the test accuracy below does not." if parts["test"] else "."))
    if n_val < 100:
        print(f"  with {n_val} validation images, differences smaller than the noise can be "
              "luck: more photos per class shrink it.")
    if parts["test"]:
        test_dl = DataLoader(Photos(parts["test"], eval_transform(prep)), batch_size=64)
        test_acc = accuracy(model, test_dl)
        print(f"test accuracy {100 * test_acc:.1f}% on {len(parts['test'])} images, scored once "
              f"(noise ±{noise(test_acc, len(parts['test'])):.1f} points)")

    out = Path(args.out).expanduser()
    out.mkdir(parents=True, exist_ok=True)
    # Plain tensors, strings and numbers only: loads with torch.load(..., weights_only=True).
    torch.save({"arch": arch, "state_dict": model.state_dict(), "classes": classes,
                "preprocess": prep, "validation_accuracy": val_acc}, out / "model.pt")
    print(f"saved {out / 'model.pt'} ({time.time() - start:.0f} s in all)")


def main_predict(checkpoint: str, image: str) -> None:
    """Load a checkpoint and print the class of one image, with its probability."""
    ckpt = torch.load(checkpoint, map_location="cpu", weights_only=True)
    prep = ckpt["preprocess"]
    model = build(ckpt["arch"], len(ckpt["classes"]))
    model.load_state_dict(ckpt["state_dict"])
    model.eval()
    try:
        x = eval_transform(prep)(square(load_rgb(Path(image), prep["resize"]), prep["resize"]))
    except (OSError, UnidentifiedImageError, ValueError) as e:
        sys.exit(f"error: cannot read {image} as an image ({e}). Give a JPEG, PNG or similar.")
    with torch.no_grad():
        probs = model(x.unsqueeze(0)).softmax(dim=1)[0]    # (1, 3, H, W) -> (n_classes,)
    for p, i in zip(*probs.topk(min(3, len(probs)))):
        print(f"{ckpt['classes'][i]}: {100 * p:.1f}%")


def parse_args(argv=None) -> argparse.Namespace:
    """The command line: train on PHOTOS_DIR, or --predict with a saved model."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("photos_dir", nargs="?", help="folder with one sub-folder of images per class")
    p.add_argument("--out", help="folder to write model.pt into")
    p.add_argument("--epochs", type=int, default=15, help="passes over the training images")
    p.add_argument("--size", type=int, default=64, help="image side in pixels (from scratch)")
    p.add_argument("--pretrained", action="store_true",
                   help="fine-tune ImageNet MobileNetV3-Small (224 pixels) when downloadable")
    p.add_argument("--seed", type=int, default=0, help="fixes the split and the training")
    p.add_argument("--predict", nargs=2, metavar=("MODEL_PT", "IMAGE"),
                   help="print the class of IMAGE with a saved model")
    args = p.parse_args(argv)
    if not args.predict and not (args.photos_dir and args.out):
        p.error("give PHOTOS_DIR --out OUT_DIR to train, or --predict OUT_DIR/model.pt IMAGE")
    if args.epochs < 1 or args.size < 16:
        p.error("--epochs must be at least 1 and --size at least 16 pixels")
    return args


if __name__ == "__main__":
    args = parse_args()
    if args.predict:
        main_predict(*args.predict)
    else:
        main_train(args)
