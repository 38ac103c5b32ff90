"""Reference solutions for notebook 11 · Capstone."""

import torch


def build_model(in_channels=3, num_classes=10):
    """A compact CNN for any input size: conv-BN-ReLU blocks, pooling, global average, linear."""
    nn = torch.nn

    def block(cin, cout):
        return [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU()]

    return nn.Sequential(
        *block(in_channels, 32), nn.MaxPool2d(2),      # (N, 32, H/2, W/2)
        *block(32, 64), nn.MaxPool2d(2),               # (N, 64, H/4, W/4)
        *block(64, 128),                               # (N, 128, H/4, W/4)
        nn.AdaptiveAvgPool2d(1), nn.Flatten(),         # (N, 128): works for any image size
        nn.Linear(128, num_classes),                   # (N, num_classes) logits
    )
