"""Pretrained torchvision models (ResNet-18, MobileNetV3-Small, EfficientNet-B0) that also work
offline: weights from ``<data folder>/weights/`` or torch's hub cache, downloaded when allowed,
else the same architecture with random weights and a line saying why."""

from __future__ import annotations

import hashlib
import re
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from cnncourse import settings
from cnncourse.data import network
from cnncourse.validate import whole_number

MODELS = ("resnet18", "mobilenet_v3_small", "efficientnet_b0")
"""The models, by their torchvision names (``torchvision.models.get_model(name)``)."""
_HASH = re.compile(r"-([a-f0-9]*)\.")   # torchvision file names carry a SHA-256 prefix


class WeightsError(RuntimeError):
    """Weights could not be found, downloaded or verified."""


@dataclass
class Pretrained:
    """What ``load_pretrained`` returns next to the model: where the weights came from."""

    name: str
    pretrained: bool         # True: ImageNet weights loaded; False: random initialisation
    source: str              # the file used, or why random weights were used
    transforms: Any          # the weights' own preprocessing (resize, crop, normalise)
    categories: list[str]    # ImageNet class names of the original head

    def __repr__(self) -> str:
        state = "ImageNet weights" if self.pretrained else "RANDOM weights"
        return f"Pretrained({self.name!r}, {state}, source={self.source!r})"


def canonical(name: str) -> str:
    """Validate a model name; accepts a few spellings (``"mobilenet"``, ``"resnet-18"``)."""
    if not isinstance(name, str):
        raise TypeError(f"expected a model name string, got {type(name).__name__}.")
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    key = {"resnet_18": "resnet18", "mobilenet": "mobilenet_v3_small",
           "mobilenetv3_small": "mobilenet_v3_small", "efficientnet": "efficientnet_b0",
           "efficientnetb0": "efficientnet_b0"}.get(key, key)
    if key not in MODELS:
        raise ValueError(f"unknown model {name!r}; choose one of {sorted(MODELS)}.")
    return key


def weights_enum(name: str) -> Any:
    """The torchvision weights entry (``DEFAULT``) for ``name``; it carries url and transforms."""
    import torchvision.models as tvm

    return tvm.get_model_weights(canonical(name)).DEFAULT


def weights_dir(root: str | Path | None = None) -> Path:
    """``<data folder>/weights``: where :func:`download_weights` stores files."""
    return (Path(root).expanduser() if root is not None else settings.data_dir()) / "weights"


def weights_filename(name: str) -> str:
    """torchvision's file name for the weights, e.g. ``resnet18-f37072fd.pth``."""
    return Path(urlparse(weights_enum(name).url).path).name


def find_weights(name: str, root: str | Path | None = None) -> Path | None:
    """The weights file in the cnncourse data folder or the torch hub cache, if present."""
    import torch

    filename = weights_filename(name)
    for folder in (weights_dir(root), Path(torch.hub.get_dir()) / "checkpoints"):
        if (folder / filename).is_file():
            return folder / filename
    return None


def hash_prefix(filename: str) -> str | None:
    """The start of the SHA-256 torchvision puts in a weights file's name (``f37072fd``)."""
    match = _HASH.search(filename)
    return match.group(1) if match else None


def sha256sum(path: Path) -> str:
    """SHA-256 hex digest of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sha256_ok(path: Path) -> bool:
    """Whether a weights file's SHA-256 starts with the prefix in its name (or it has none)."""
    prefix = hash_prefix(path.name)
    return prefix is None or sha256sum(path).startswith(prefix)


def download_weights(name: str, root: str | Path | None = None) -> Path:
    """Download the weights of ``name`` into ``<data folder>/weights`` and verify them.

    Does nothing when a verified file is already there. Raises :class:`WeightsError` when
    offline (``CNNCOURSE_OFFLINE=1``), unreachable or the checksum does not match.
    """
    import torch

    url = weights_enum(name).url
    target = weights_dir(root) / weights_filename(name)
    if target.is_file():
        if sha256_ok(target):
            return target
        raise WeightsError(f"{target} is corrupt (SHA-256 mismatch); delete it and try "
                           f"again: a fresh copy is downloaded.")
    if settings.is_offline():
        raise WeightsError("CNNCOURSE_OFFLINE=1 is set, so nothing is downloaded. Unset it "
                           f"while online, or copy {target.name} obtained elsewhere into "
                           f"{target.parent}.")
    if not network.can_reach(url):
        raise WeightsError(f"cannot reach {network.hosts([url])} within "
                           f"{network.PROBE_TIMEOUT:.0f} s (no network?).")
    target.parent.mkdir(parents=True, exist_ok=True)
    old_timeout = socket.getdefaulttimeout()
    socket.setdefaulttimeout(network.DOWNLOAD_TIMEOUT)  # urllib inherits it: no endless stall
    try:
        # torch.hub writes a temporary file, checks its SHA-256 prefix, then moves it in place.
        torch.hub.download_url_to_file(url, str(target), hash_prefix=hash_prefix(target.name))
    except RuntimeError as err:
        raise WeightsError(f"the download of {url} is corrupt (SHA-256 mismatch: {err}); "
                           f"try again.") from err
    except OSError as err:
        raise WeightsError(f"downloading {url} failed: {err}") from err
    finally:
        socket.setdefaulttimeout(old_timeout)
    return target


def head(model: Any) -> tuple[Any, str]:
    """The final Linear layer of a torchvision classifier and its attribute path."""
    from torch import nn

    if isinstance(getattr(model, "fc", None), nn.Linear):
        return model.fc, "fc"
    classifier = getattr(model, "classifier", None)
    if isinstance(classifier, nn.Sequential) and isinstance(classifier[-1], nn.Linear):
        return classifier[-1], f"classifier.{len(classifier) - 1}"
    raise TypeError(f"head: expected a torchvision ResNet, MobileNet or EfficientNet (a `fc` "
                    f"or `classifier[-1]` Linear layer), got {type(model).__name__}.")


def _set_head(model: Any, path: str, module: Any) -> None:
    """Put ``module`` where :func:`head` found the head (``path``)."""
    parent, _, name = path.rpartition(".")
    setattr(model.get_submodule(parent), name, module)


def replace_head(model: Any, num_classes: int) -> Any:
    """Swap the ImageNet head (1000 classes) for a fresh Linear layer with ``num_classes``."""
    from torch import nn

    whole_number(num_classes, "num_classes", "replace_head")
    old, path = head(model)
    _set_head(model, path, nn.Linear(old.in_features, num_classes))
    return model


def freeze_backbone(model: Any) -> int:
    """Feature extraction: freeze every parameter except the head's. Returns trainable count."""
    layer, _ = head(model)
    for p in model.parameters():
        p.requires_grad = False
    for p in layer.parameters():
        p.requires_grad = True
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def load_pretrained(name: str, num_classes: int | None = None, *, pretrained: bool = True,
                    download: bool | None = None, root: str | Path | None = None,
                    verbose: bool = True) -> tuple[Any, Pretrained]:
    """A torchvision model with ImageNet weights when available, random weights otherwise.

    Args:
        name: "resnet18", "mobilenet_v3_small" or "efficientnet_b0".
        num_classes: replace the 1000-class head with a fresh one of this size.
        pretrained: ``False`` skips the weights entirely (random initialisation).
        download: fetch missing weights (default: yes unless ``CNNCOURSE_OFFLINE=1``).
        root: the data folder (default ``cnncourse.settings.data_dir()``).

    Returns:
        ``(model, info)``; ``info.pretrained`` says whether ImageNet weights were loaded and
        ``info.transforms`` is the preprocessing those weights expect.
    """
    import torch
    import torchvision.models as tvm

    key = canonical(name)
    weights = weights_enum(key)
    model = tvm.get_model(key, weights=None)            # architecture only: never downloads
    path, reason = None, "pretrained=False was passed"
    if pretrained:
        path = find_weights(key, root)
        allow = download is not False and not settings.is_offline()
        if path is None and allow:
            try:
                path = download_weights(key, root)
            except WeightsError as err:
                reason = f"the download failed: {err}"
        elif path is None:
            why = "CNNCOURSE_OFFLINE=1 is set" if settings.is_offline() else "download=False"
            reason = f"no weights file in {weights_dir(root)} or the torch hub cache, and {why}"
    if path is not None:
        model.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
        source = str(path)
    else:
        source = f"random initialisation ({reason})"
        if pretrained and verbose:
            print(f"cnncourse: {key} has RANDOM weights because {reason}.\n"
                  f"  Every cell still runs, but transfer-learning results will be poor.\n"
                  f"  Fix: run this again while online, with downloads allowed (it stores "
                  f"the file in {weights_dir(root)}), or copy {weights_filename(key)} there.")
    if num_classes is not None:
        replace_head(model, num_classes)
    info = Pretrained(key, path is not None, source, weights.transforms(),
                      list(weights.meta.get("categories", [])))
    return model, info


def extract_features(model: Any, X: Any, batch_size: int = 64) -> Any:
    """Backbone features ``(N, D)`` for images ``X (N, 3, H, W)``: the input of the head.

    The head is swapped for ``nn.Identity`` during the call (then put back), in eval mode
    without gradients: train a small head on these once instead of running the frozen
    backbone every epoch.
    """
    import torch
    from torch import nn

    from cnncourse.modelutils import check_images, eval_mode, model_device

    check_images(X, "extract_features")
    layer, path = head(model)
    device = model_device(model)
    _set_head(model, path, nn.Identity())
    try:
        with eval_mode(model), torch.no_grad():
            feats = [model(X[i:i + batch_size].to(device)).cpu()
                     for i in range(0, X.shape[0], batch_size)]
    finally:
        _set_head(model, path, layer)
    return torch.cat(feats)                                 # (N, D)
