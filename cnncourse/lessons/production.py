"""Lesson 11 · Production patterns: the reference solutions, their checks, and the quizzes."""

from __future__ import annotations

import torch

from cnncourse.course.exercises import Checks, Mistake, expect_close, expect_tensor, photo_like
from cnncourse.course.quiz import Option, Quiz, Quizzes
from cnncourse.data.catalog import STATS
from cnncourse.lessons.pixels import STATS_SHAPE

check = Checks("production")
quiz = Quizzes("production")


# Reference solutions ------------------------------------------------------------------------------

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


# Checks -------------------------------------------------------------------------------------------

_MEAN, _STD = STATS["cifar10"]      # the course's one copy of the CIFAR-10 statistics


@check.of(prepare_image, causes=[(("must match the size",), STATS_SHAPE)])  # as in notebook 01
def check_prepare_image(fn):
    """uint8 HWC in, normalised float (1, C, H, W) out, exactly like the training data."""
    image = photo_like(6, 5, seed=10)
    got = fn(image.clone(), _MEAN, _STD)
    expect_tensor(got)
    if tuple(got.shape) == (3, 6, 5):
        raise Mistake("the shape is (3, 6, 5): add the batch dimension with .unsqueeze(0); a "
                      "model always expects (N, C, H, W), even for one image.")
    if tuple(got.shape) in {(1, 6, 5, 3), (6, 5, 3)}:
        raise Mistake(f"the shape is {tuple(got.shape)}: images from files are (H, W, C); "
                      "PyTorch wants channels first, so .permute(2, 0, 1).")
    expect_tensor(got, (1, 3, 6, 5), what="prepare_image(image, mean, std)")
    if not got.is_floating_point():
        raise Mistake("the result is still an integer tensor: convert with .float() / 255.")
    x = image.permute(2, 0, 1).float()[None]
    mean, std = torch.tensor(_MEAN).view(3, 1, 1), torch.tensor(_STD).view(3, 1, 1)
    slips = [((x - mean) / std, "the pixels were not scaled to [0, 1] first: divide by 255 "
                                "before subtracting the mean (the mean and std are for [0, 1] "
                                "pixels)."),
             (x / 255, "the pixels are in [0, 1] but not normalised: subtract the mean and "
                       "divide by the std, per channel, like the training data."),
             ((x / 255 - 0.5) / 0.5, "you used mean 0.5 and std 0.5; use the mean and std the "
                                     "model was trained with (the ones passed in).")]
    expect_close(got, prepare_image(image, _MEAN, _STD), "prepare_image(image, mean, std)",
                 mistakes=slips)
    return "same scaling, normalisation and layout as the training data."


@check.of(one_hot_sequence)
def check_one_hot_sequence(fn):
    """A (1, V, L) float one-hot, channels first, for nn.Conv1d."""
    tokens = torch.tensor([2, 0, 3, 3, 1, 4, 0])
    got = fn(tokens.clone(), 5)
    expect_tensor(got)
    if tuple(got.shape) == (1, 7, 5):
        raise Mistake("the shape is (1, L, V) = (1, 7, 5). nn.Conv1d wants channels first, "
                      "(N, C, L): the vocabulary is the channel axis, so transpose to "
                      "(1, 5, 7).")
    if tuple(got.shape) in {(5, 7), (7, 5)}:
        raise Mistake(f"the shape is {tuple(got.shape)}: add the batch dimension, "
                      "(1, vocab_size, length).")
    expect_tensor(got, (1, 5, 7), what="one_hot_sequence(tokens, 5)")
    if not got.is_floating_point():
        raise Mistake(f"the dtype is {got.dtype}; conv weights are float, so convert with "
                      ".float().")
    expect_close(got, one_hot_sequence(tokens, 5), what="one_hot_sequence",
                 hint="Column t should be 1 at row tokens[t] and 0 elsewhere.")
    return "channels-first one-hot, ready for nn.Conv1d."


# Quizzes ------------------------------------------------------------------------------------------

quiz.extract_or_finetune = Quiz(
    "You have 500 labelled photos and a network pretrained on ImageNet. Which is the safer "
    "first step?",
    [
        Option("Train the whole network from random weights",
               feedback="500 images are far too few to train a network of ImageNet size; "
                        "it would overfit."),
        Option("Freeze it and train only a new final layer", correct=True,
               feedback="Feature extraction: few parameters to learn, so little data is enough."),
        Option("Fine-tune every layer with a small learning rate",
               feedback="It can add accuracy, but with 500 images it updates millions of "
                        "weights at once and can overfit; it usually comes second, after "
                        "a new head has been trained on the frozen features."),
    ],
    "Feature extraction trains only the new head on top of frozen features: with a large "
    "network and a few hundred images it is the safe start. Fine-tuning also updates the "
    "backbone, with a small learning rate; whether it adds accuracy depends on the data, so "
    "measure it on a validation split, as the next cells do.",
)

quiz.preprocessing_mismatch = Quiz(
    "A model was trained on normalised images (subtract the mean, divide by the std). At "
    "inference time someone feeds plain [0, 1] pixels. What happens?",
    [
        Option("PyTorch raises an input error", feedback="The shapes are fine, so nothing "
               "complains."),
        Option("Nothing: networks are robust to that", feedback="Measure it below."),
        Option("Predictions change, with no error", correct=True,
               feedback="A silent bug: the network sees inputs from a distribution it never "
                        "saw in training, and its predictions and confidences shift."),
    ],
    "Inference must repeat the training preprocessing exactly: the same resize, the same "
    "scaling to [0, 1], the same mean and std, the same channel order. Pretrained torchvision "
    "weights carry their own recipe in weights.transforms().",
)

quiz.params_vs_latency = Quiz(
    "On a CPU, is the model with fewer parameters the faster one?",
    [
        Option("Not always: latency must be measured", correct=True,
               feedback="Parameters, compute and latency are different things: the ratios "
                        "below show latency and parameters shrinking by different amounts, "
                        "and which model is faster can change from one CPU to another."),
        Option("Yes: compute grows with the parameters",
               feedback="Conv layers reuse each weight at every position, so compute depends "
                        "on image size and layer layout too."),
    ],
    "Parameters decide memory and download size. Latency depends on the number of "
    "multiply-adds (which grows with image size), on how well each layer type runs on your "
    "hardware (depthwise convs are cheap in FLOPs but not always fast) and on the batch "
    "size. Choose a production model from a measured table, not from the parameter count.",
)

quiz.tabular = Quiz(
    "Which of these inputs gives a CNN's built-in assumptions (locality, the same pattern "
    "anywhere) the least to work with?",
    [
        Option("A spectrogram of recorded speech",
               feedback="Time and frequency are both ordered axes: neighbours belong together, "
                        "and CNNs work well on spectrograms."),
        Option("A DNA sequence, read one base at a time",
               feedback="A sequence is ordered, and a short motif means the same wherever it "
                        "occurs: a 1D conv suits it."),
        Option("A 3-D stack of MRI scan slices",
               feedback="A volume is a 3-D grid of neighbouring voxels: 3D convolutions are "
                        "standard there."),
        Option("A customer table (age, income, city)", correct=True,
               feedback="Right: shuffle the columns and nothing about the data changes, but a "
                        "CNN's view of it does."),
    ],
    "CNNs assume locality (neighbours matter together) and translation equivariance (the "
    "same pattern can appear anywhere). Tabular data has neither; gradient-boosted trees or a "
    "small MLP are the usual tools. For sequences, CNNs can work (1D conv) but recurrent "
    "networks and transformers capture long-range order better.",
)

quiz.conv1d_detects = Quiz(
    "An nn.Conv1d with kernel_size=3 slides over a one-hot character sequence. What can one "
    "of its filters detect?",
    [
        Option("Every word in the text, whatever its length",
               feedback="One filter sees only 3 characters at a time; longer patterns need "
                        "stacked layers."),
        Option("One 3-character pattern, wherever it is", correct=True,
               feedback="The same weights are applied at every position, like a 2D filter "
                        "over an image."),
        Option("Nothing: convolutions need images",
               feedback="Convolution works on any grid: 1D sequences, 2D images, 3D volumes."),
        Option("One 3-character pattern, at one fixed spot",
               feedback="The weights are shared: the same filter is applied at every "
                        "position, so the pattern is found wherever it occurs."),
    ],
    "A 1D conv is the same idea as a 2D one along a single axis: local windows, shared "
    "weights. Stacked and followed by a max over positions, it becomes a text classifier; "
    "this is how CNNs are used in NLP.",
)
