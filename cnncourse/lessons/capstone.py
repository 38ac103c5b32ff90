"""Lesson 12 · Capstone: the reference solutions, their checks, and the quizzes."""

from __future__ import annotations

import torch
from torch import nn

from cnncourse.course.exercises import Checks, Mistake
from cnncourse.course.quiz import Option, Quiz, Quizzes

check = Checks("capstone")
quiz = Quizzes("capstone")


# Reference solutions ------------------------------------------------------------------------------

def build_model(in_channels=3, num_classes=10):
    """A compact CNN from the checklist: conv-BN-ReLU blocks that halve the size and double
    the channels, a global average pool, one linear layer. Cheap per step (it shrinks the
    image early), so it gets many steps in the capstone's budget."""
    nn = torch.nn

    def block(cin, cout):
        return [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU()]

    return nn.Sequential(
        *block(in_channels, 16), nn.MaxPool2d(2),      # (N, 16, H/2, W/2)
        *block(16, 32), nn.MaxPool2d(2),               # (N, 32, H/4, W/4)
        *block(32, 64), nn.MaxPool2d(2),               # (N, 64, H/8, W/8)
        *block(64, 128),                               # (N, 128, H/8, W/8)
        nn.AdaptiveAvgPool2d(1), nn.Flatten(),         # (N, 128): works for any image size
        nn.Linear(128, num_classes),                   # (N, num_classes) logits
    )


# Checks -------------------------------------------------------------------------------------------

MAX_PARAMS = 2_000_000  # a laptop CPU trains this in the capstone's time budget


_SQUASHERS = (nn.ReLU, nn.ReLU6, nn.LeakyReLU, nn.Sigmoid, nn.Softmax, nn.LogSoftmax,
              nn.Softplus, nn.Hardsigmoid, nn.Tanh)


def _last_layer(model: nn.Module) -> nn.Module | None:
    """The last leaf module registered in ``model`` (the output layer of a Sequential)."""
    leaves = [m for m in model.modules() if not list(m.children())]
    return leaves[-1] if leaves else None


def _reject_squashed_outputs(model: nn.Module, out: torch.Tensor) -> None:
    """Logits must be free real numbers: no activation, sigmoid or softmax after the last layer.

    Looks at the last registered layer, then at the outputs themselves (for activations
    applied in ``forward``): softmax rows sum to 1, log-softmax rows exp-sum to 1, and a
    ReLU or sigmoid leaves no negative value in a batch of random images.
    """
    last = _last_layer(model)
    if isinstance(last, (nn.Softmax, nn.LogSoftmax)):
        raise Mistake(f"the model ends with nn.{type(last).__name__}: remove it and return "
                      "raw logits. nn.CrossEntropyLoss applies log-softmax itself.")
    if isinstance(last, _SQUASHERS):
        raise Mistake(f"the model ends with nn.{type(last).__name__}, so its outputs cannot "
                      "be negative (or are squashed into a range): the last layer should be "
                      "nn.Linear, with no activation after it. Logits are free real numbers.")
    ones = torch.ones(out.shape[0])
    if torch.allclose(out.sum(1), ones, atol=1e-4) and (out >= 0).all():
        raise Mistake("the outputs are probabilities (rows sum to 1): remove the final "
                      "softmax. nn.CrossEntropyLoss expects raw logits.")
    if torch.allclose(out.exp().sum(1), ones, atol=1e-4):
        raise Mistake("the outputs are log-probabilities (log_softmax): remove it and return "
                      "raw logits. nn.CrossEntropyLoss applies log-softmax itself.")
    if (out >= 0).all():
        raise Mistake("no output is negative on a batch of random images: is there a ReLU or "
                      "sigmoid after the last layer (perhaps in forward)? Return the last "
                      "nn.Linear's output directly: logits can be any real number.")


@check.of(build_model)
def check_build_model(fn):
    """Logits of the right shape for CIFAR-10 and MNIST sizes, and a laptop-sized model."""
    for c, size in ((3, 32), (1, 28)):
        model = fn(c, 10)
        if not isinstance(model, nn.Module):
            raise Mistake(f"build_model should return an nn.Module, got {type(model).__name__}.")
        n = sum(p.numel() for p in model.parameters())
        if n > MAX_PARAMS:
            raise Mistake(f"the model has {n:,} parameters; keep it under {MAX_PARAMS:,} so it "
                          "trains within the time budget on a CPU (use conv layers and global "
                          "average pooling rather than big Linear layers).")
        model.eval()
        try:
            with torch.no_grad():
                out = model(torch.randn(4, c, size, size))
        except RuntimeError as err:
            raise Mistake(f"the model fails on {c}x{size}x{size} images ({err}). If a Linear "
                          "layer expects a fixed size, put nn.AdaptiveAvgPool2d(1) and "
                          "nn.Flatten() before it so any image size works.") from err
        if tuple(out.shape) != (4, 10):
            raise Mistake(f"for a batch of 4 images the output is {tuple(out.shape)}; it "
                          "should be (4, num_classes) = (4, 10).")
        _reject_squashed_outputs(model, out)
    if tuple(fn(3, 7)(torch.randn(2, 3, 32, 32)).shape) != (2, 7):
        raise Mistake("num_classes=7 did not give 7 outputs: use num_classes for the last "
                      "layer instead of a fixed 10.")
    return "a valid classifier for both image sizes, under the parameter budget."


# Quizzes ------------------------------------------------------------------------------------------

TITLE = "Self-assessment"

quiz.local_to_global = Quiz(
    "How does a CNN build up its understanding of an image?",
    [
        Option("Small local patterns, combined layer by layer", correct=True,
               feedback="Small filters find edges; later layers combine them: edges → "
                        "textures → parts → objects."),
        Option("It matches the whole image against stored templates",
               feedback="That is nearest-neighbour matching, not a CNN."),
        Option("Every neuron weighs every pixel at once", feedback="That is a fully connected "
               "layer; conv units see a small window."),
    ],
    "Convolution finds local patterns with shared weights, and stacking layers (with "
    "pooling or strides) grows each unit's receptive field until it covers the object.",
    title=TITLE,
)

quiz.layer_roles = Quiz(
    "Which layer shrinks the feature maps and has NO learnable parameters?",
    [
        Option("Convolution", feedback="Its filters are learned weights."),
        Option("ReLU activation", feedback="ReLU has no parameters, but it keeps the size."),
        Option("Linear layer", feedback="A linear layer has the most parameters of all."),
        Option("Max pooling", correct=True, feedback="It keeps the largest value per window."),
    ],
    "Convolution detects features (learned), the activation adds non-linearity, pooling "
    "shrinks the maps and adds a little shift tolerance, and the fully connected head turns "
    "the final features into class scores.",
    title=TITLE,
)

quiz.no_activation = Quiz(
    "What happens if you stack conv layers with no activation function in between?",
    [
        Option("Training gets faster and just as accurate", feedback="It is faster, but "
               "notebook 05 showed the stack collapses into one linear map."),
        Option("PyTorch raises a shape error", feedback="It runs silently; that is why it is a "
               "pitfall."),
        Option("The stack acts like one bigger convolution", correct=True,
               feedback="A composition of linear maps is linear: two 3 × 3 convolutions "
                        "make one 5 × 5 convolution."),
    ],
    "Without a non-linearity between them, conv layers compose into one linear map (one "
    "bigger convolution, notebook 05), so depth adds nothing. ReLU after each conv is what lets depth build complex features.",
    title=TITLE,
)

quiz.head_needs_fixed_size = Quiz(
    "The course's SimpleCNN was built for 32 × 32 images. You feed it a 64 × 64 image. What "
    "happens?",
    [
        Option("It works: convolutions accept any image size",
               feedback="The convs do, but the flattened vector no longer fits fc1."),
        Option("A shape error at the first Linear layer", correct=True,
               feedback="Right. Resize to 32 × 32, or add nn.AdaptiveAvgPool2d before "
                        "flattening: both give the head the fixed-length vector it expects."),
        Option("It silently predicts for 4 images", feedback="With torch.flatten(x, 1) it fails "
               "loudly; flattening with x.view(-1, 2048) instead would silently change the "
               "batch, which notebook 06 showed."),
        Option("It crops the image to 32 × 32 itself", feedback="Nothing in the model resizes "
               "or crops; the feature maps just get bigger."),
    ],
    "Fully connected layers need a fixed-length input. Resize images to the training size, "
    "or use global (adaptive) pooling so the head's input length no longer depends on the "
    "image size.",
    title=TITLE,
)

quiz.logits_argmax = Quiz(
    "model(x) returns logits. Is torch.argmax(model(x), dim=1) a correct prediction, or "
    "must you apply softmax first?",
    [
        Option("argmax of the logits is already right", correct=True,
               feedback="Softmax is only needed for probabilities. And CrossEntropyLoss wants "
                        "logits."),
        Option("Softmax first, or the answer can be wrong",
               feedback="Softmax is monotonic: it never changes which score is largest."),
    ],
    "The model outputs logits. Softmax turns them into probabilities without changing their "
    "order, so argmax is the same either way. Use dim=1 for a batch. Pass logits, never "
    "probabilities, to nn.CrossEntropyLoss.",
    title=TITLE,
)

quiz.beyond_basics = Quiz(
    "Your deep CNN trains slowly and its first layers barely change. Which tools from "
    "notebook 10 address this?",
    [
        Option("Dropout and stronger weight decay", feedback="They fight overfitting, not "
               "vanishing gradients."),
        Option("A larger batch and more epochs", feedback="A bigger batch changes the noise in "
               "the gradient, and more epochs cannot fix a gradient that shrinks with depth."),
        Option("He init, batch norm and skip connections", correct=True,
               feedback="He init keeps each layer's signal the same size, batch norm keeps "
                        "activations well scaled, and skips give gradients a direct path."),
    ],
    "He (Kaiming) initialisation is the first fix for gradients that shrink with depth; batch "
    "norm keeps the training loss falling at higher learning rates; residual connections "
    "keep gradients alive through depth. Augmentation and regularisation then help the model "
    "generalise.",
    title=TITLE,
)

quiz.production = Quiz(
    "A phone app needs a 10-class image classifier and you have 2,000 labelled images. "
    "What is the usual approach?",
    [
        Option("Design and train a big CNN from scratch", feedback="2,000 images are too few."),
        Option("Use a fully connected network on the pixels", feedback="Far more parameters "
               "and no use of spatial structure."),
        Option("Fine-tune the largest pretrained model", feedback="Accurate, but too big and "
               "slow for a phone; choose the model by its measured latency."),
        Option("Fine-tune a small pretrained model", correct=True,
               feedback="Transfer learning (e.g. MobileNetV3) with augmentation, preprocessing "
                        "exactly as in training, and a model chosen for its measured latency."),
    ],
    "In production, CNNs are pretrained on large datasets and fine-tuned; the architecture "
    "is chosen by measured accuracy and speed; augmentation and regularisation improve "
    "robustness; inference repeats the training preprocessing exactly.",
    title=TITLE,
)
