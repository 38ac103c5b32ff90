"""Reference solutions for notebook 10 · Production patterns."""

import torch


def prepare_image(image, mean, std):
    """One uint8 image (H, W, C) -> a normalised float batch (1, C, H, W), as in training."""
    x = torch.as_tensor(image).permute(2, 0, 1).float() / 255.0   # (C, H, W) in [0, 1]
    mean = torch.as_tensor(mean, dtype=torch.float32).view(-1, 1, 1)
    std = torch.as_tensor(std, dtype=torch.float32).view(-1, 1, 1)
    return ((x - mean) / std).unsqueeze(0)                          # (1, C, H, W)


def one_hot_sequence(tokens, vocab_size):
    """Token ids (L,) -> a float one-hot batch (1, vocab_size, L): channels first for Conv1d."""
    onehot = torch.nn.functional.one_hot(tokens, vocab_size).float()   # (L, V)
    return onehot.T.unsqueeze(0)                                         # (1, V, L)
