"""Every model of the course package, and the one conv-BN-activation block they share.

``SimpleCNN`` (notebook 08) and the ``MLP`` baseline; notebook 10's deeper nets and ``SpeedNet``;
notebook 11's ``CourseBackbone``. A lesson's own exercise models stay in its notebook.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from cnncourse.modelutils import check_model
from cnncourse.validate import whole_number, whole_numbers


class SimpleCNN(nn.Module):
    """Two conv blocks (3->16->32 channels, ReLU, 2x2 max-pool) and a 2048->128->10 head.

    Built for 32x32 RGB images (CIFAR-10). ``torch.flatten(x, 1)`` keeps the batch
    dimension, so a wrong input size fails loudly instead of silently changing the batch.
    """

    def __init__(self, in_channels: int = 3, num_classes: int = 10, image_size: int = 32):
        super().__init__()
        if image_size % 4 != 0 or image_size < 4:
            raise ValueError(f"SimpleCNN: image_size must be a positive multiple of 4 "
                             f"(two 2x2 poolings), got {image_size}.")
        self.conv1 = nn.Conv2d(in_channels, 16, kernel_size=3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, kernel_size=3, padding=1)
        self.pool = nn.MaxPool2d(2, 2)
        side = image_size // 4
        self.fc1 = nn.Linear(32 * side * side, 128)
        self.fc2 = nn.Linear(128, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.pool(F.relu(self.conv1(x)))  # (N, 16, H/2, W/2)
        x = self.pool(F.relu(self.conv2(x)))  # (N, 32, H/4, W/4)
        x = torch.flatten(x, 1)               # (N, 32*H/4*W/4) = (N, 2048) for 32x32
        x = F.relu(self.fc1(x))               # (N, 128)
        return self.fc2(x)                    # (N, num_classes) logits


class MLP(nn.Module):
    """A fully connected baseline: flatten, one hidden ReLU layer, class logits."""

    def __init__(self, in_features: int = 3 * 32 * 32, hidden: int = 256,
                 num_classes: int = 10):
        super().__init__()
        for name, value in {"in_features": in_features, "hidden": hidden,
                            "num_classes": num_classes}.items():
            whole_number(value, name, "MLP")
        self.net = nn.Sequential(
            nn.Flatten(),                          # (N, C, H, W) -> (N, C*H*W)
            nn.Linear(in_features, hidden),
            nn.ReLU(),
            nn.Linear(hidden, num_classes),        # (N, num_classes) logits
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


def count_parameters(model: nn.Module) -> int:
    """Number of trainable parameters in ``model`` (frozen ones, ``requires_grad=False``, not)."""
    check_model(model, "count_parameters")
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def conv_bn_act(in_channels: int, out_channels: int, act: type[nn.Module] = nn.ReLU,
                batch_norm: bool = True) -> list[nn.Module]:
    """The conv-BN-activation block: ``[Conv2d 3x3 (padding 1), BatchNorm2d, act()]``.

    The conv has no bias when batch norm follows (BN's shift does that job). Returned as a
    list so a caller can splice it into a ``Sequential`` or slip a pooling layer in between.
    """
    return [nn.Conv2d(in_channels, out_channels, 3, padding=1, bias=not batch_norm),
            nn.BatchNorm2d(out_channels) if batch_norm else nn.Identity(), act()]


# Deeper models for notebook 10: residual blocks, a small ResNet and its plain twin -----------

class ResidualBlock(nn.Module):
    """Two 3x3 convs that keep the shape, plus a skip: ``relu(x + F(x))``.

    With ``skip=False`` it is the same block without the shortcut (a "plain" block), so
    ``SmallResNet`` and ``PlainDeepCNN`` differ in nothing but the skip connections.
    """

    def __init__(self, channels: int, batch_norm: bool = True, skip: bool = True):
        super().__init__()
        whole_number(channels, "channels", "ResidualBlock")
        self.skip = skip
        self.conv1, self.bn1, _ = conv_bn_act(channels, channels, batch_norm=batch_norm)
        self.conv2, self.bn2, _ = conv_bn_act(channels, channels, batch_norm=batch_norm)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = F.relu(self.bn1(self.conv1(x)))  # (N, C, H, W)
        out = self.bn2(self.conv2(out))        # (N, C, H, W)
        if self.skip:
            out = out + x                      # the shortcut: gradients flow straight through
        return F.relu(out)

    def extra_repr(self) -> str:
        return f"skip={self.skip}"


def kaiming_init(model: nn.Module) -> nn.Module:
    """He (Kaiming) initialisation for every Conv2d/Linear weight of ``model``; biases to 0.

    PyTorch's default draws weights with a variance about a third of what keeps a ReLU
    network's signal the same size layer after layer, so in a deep plain stack the gradient
    shrinks at every layer. He et al. (2015) scale the variance to ``2 / fan_in``. Batch norm
    layers keep gamma 1 and beta 0. Returns the model, changed in place.
    """
    check_model(model, "kaiming_init")
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.kaiming_normal_(m.weight, mode="fan_in", nonlinearity="relu")
            if m.bias is not None:
                nn.init.zeros_(m.bias)
    return model


class SmallResNet(nn.Module):
    """A small ResNet for 32x32 images: stages of residual blocks, 2x2 pooling between them.

    Args:
        widths: channels per stage; each stage after the first halves the image size.
        blocks_per_stage: residual blocks per stage (each holds two convs).
        batch_norm: BatchNorm after every conv.
        skip: keep the shortcuts (``False`` gives the plain network of the same depth).
        init: ``"default"`` (PyTorch's) or ``"kaiming"`` (He et al., see :func:`kaiming_init`).
    """

    def __init__(self, in_channels: int = 3, num_classes: int = 10,
                 widths: tuple[int, ...] = (16, 32, 64), blocks_per_stage: int = 1,
                 batch_norm: bool = True, skip: bool = True, init: str = "default"):
        super().__init__()
        if init not in ("default", "kaiming"):
            raise ValueError(f"{type(self).__name__}: init must be one of 'default', 'kaiming'; "
                             f"got {init!r}.")
        whole_numbers(widths, "widths", "SmallResNet")
        whole_number(blocks_per_stage, "blocks_per_stage", "SmallResNet")
        layers: list[nn.Module] = []
        prev = in_channels
        for i, width in enumerate(widths):
            if i > 0:
                layers.append(nn.MaxPool2d(2))                      # halve H and W
            layers += conv_bn_act(prev, width, batch_norm=batch_norm)
            layers += [ResidualBlock(width, batch_norm, skip) for _ in range(blocks_per_stage)]
            prev = width
        self.features = nn.Sequential(*layers)
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                                  nn.Linear(prev, num_classes))
        if init == "kaiming":
            kaiming_init(self)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))    # (N, num_classes) logits


class PlainDeepCNN(SmallResNet):
    """``SmallResNet`` without the skip connections: same layers, same parameter count."""

    def __init__(self, in_channels: int = 3, num_classes: int = 10,
                 widths: tuple[int, ...] = (16, 32, 64), blocks_per_stage: int = 1,
                 batch_norm: bool = True, init: str = "default"):
        super().__init__(in_channels, num_classes, widths, blocks_per_stage, batch_norm,
                         skip=False, init=init)


# The recipes' models: the speed-run (notebook 10) and transfer learning (11) ---------------

class SpeedNet(nn.Module):
    """The speed-run's net (notebook 10): stem conv, then per width: conv, 2x2 max-pool,
    conv (all conv-BN-GELU); max over space.

    The default widths follow the public CIFAR-10 speed-runs; ``widths=(16, 32, 64)`` is a
    CPU-sized version.
    """

    def __init__(self, widths: tuple[int, ...] = (64, 256, 256, 256), in_channels: int = 3,
                 num_classes: int = 10):
        super().__init__()
        whole_numbers(widths, "widths", "SpeedNet")
        layers = conv_bn_act(in_channels, widths[0], nn.GELU)
        prev = widths[0]
        for w in widths[1:]:
            conv, bn, act = conv_bn_act(prev, w, nn.GELU)
            layers += [conv, nn.MaxPool2d(2), bn, act, *conv_bn_act(w, w, nn.GELU)]
            prev = w
        self.features = nn.Sequential(*layers)
        self.head = nn.Linear(prev, num_classes, bias=False)
        self.scale = 1 / 9                     # small logits at the start, as airbench does

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.features(x)                   # (N, C, h, w)
        h = h.amax(dim=(2, 3))                 # (N, C): global max pool
        return self.head(h) * self.scale       # (N, num_classes) logits


class CourseBackbone(nn.Module):
    """The transfer recipe's small CNN (notebook 11): three conv blocks -> global average pool
    -> ``fc`` (the head).

    The head is called ``fc`` as in torchvision's ResNet, so ``cc.pretrained.replace_head``,
    ``freeze_backbone`` and ``extract_features`` work on it unchanged.
    """

    def __init__(self, num_classes: int = 5, width: int = 16, in_channels: int = 3):
        super().__init__()
        whole_number(width, "width", "CourseBackbone")
        self.width = width
        self.features = nn.Sequential(
            nn.Sequential(*conv_bn_act(in_channels, width)), nn.MaxPool2d(2),    # (N, w, H/2, W/2)
            nn.Sequential(*conv_bn_act(width, 2 * width)), nn.MaxPool2d(2),      # (N, 2w, H/4, W/4)
            nn.Sequential(*conv_bn_act(2 * width, 4 * width)),                   # (N, 4w, H/4, W/4)
            nn.AdaptiveAvgPool2d(1), nn.Flatten())                # (N, 4w)
        self.fc = nn.Linear(4 * width, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.features(x))                          # (N, num_classes)
