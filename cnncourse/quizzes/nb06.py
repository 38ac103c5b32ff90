"""Quizzes for notebook 06 · Flatten, fully connected layers and outputs."""

from cnncourse.quiz import Option, Quiz

keeps_spatial = Quiz(
    "Before the fully connected layers, the feature maps are flattened. Does that keep "
    "spatial information or throw it away?",
    [Option("It keeps the 2-D layout: the layer still knows which values are neighbours",
            False, "After flattening, nothing marks two values as neighbours any more."),
     Option("It turns the maps into one long vector; each position gets its own weights, "
            "but the notion of neighbourhood is gone", True,
            "Right: the layer can still tell positions apart, because each has its own "
            "weight, but it treats them as an unordered list of features."),
     Option("It averages each map to a single number", False,
            "That is global average pooling, a different operation (section 6 uses it).")],
    "torch.flatten(x, 1) lays C x H x W values out in a row. A fully connected layer gives "
    "every one of them its own weight, so position is not forgotten, but the layer has no idea "
    "which positions are next to each other: shuffle the inputs consistently and it works "
    "just as well.",
)

outputs_are_probabilities = Quiz(
    "Myth check: the last layer of a classifier outputs probabilities for each class. True?",
    [Option("True: the 10 outputs are between 0 and 1 and sum to 1", False,
            "Look at the numbers below: some are negative and they do not sum to 1."),
     Option("False: it outputs raw scores (logits); softmax turns them into probabilities",
            True, "Right. And for training you keep the logits: CrossEntropyLoss wants them."),
     Option("True, but only after training", False,
            "Training changes the values, not what they are: still unnormalised scores.")],
    "nn.Linear can output any real numbers. These logits become probabilities only through "
    "softmax. nn.CrossEntropyLoss applies (log-)softmax itself, so the model should return "
    "logits and you apply softmax only when you want probabilities to show.",
)

softmax_before_loss = Quiz(
    "You add F.softmax to the model's output and feed that to nn.CrossEntropyLoss. What "
    "happens?",
    [Option("An error: CrossEntropyLoss rejects probabilities", False,
            "No error at all: probabilities are just numbers to it. That is what makes the "
            "bug silent."),
     Option("Nothing: softmax twice is the same as once", False,
            "Softmax of probabilities is not the same distribution; it is much flatter."),
     Option("It trains, but worse: the loss can never get low and the gradients are weak",
            True, "Yes: the loss then applies softmax a second time to values in [0, 1]."),
     Option("It trains better, because the outputs are now proper probabilities", False,
            "The loss already does the softmax; doing it twice squashes the signal.")],
    "CrossEntropyLoss computes log_softmax of its input. Given probabilities in [0, 1], that "
    "second softmax can never become confident: even a perfect prediction costs "
    "log(1 + 9/e) = 1.46 with 10 classes. Training stalls or slows down, without any error.",
)

any_input_size = Quiz(
    "Myth check: a CNN can take images of any size without changes. True?",
    [Option("True: convolutions slide over any size", False,
            "The convolutions can; the flatten + fully connected head cannot."),
     Option("False for this CNN: its first Linear layer expects exactly 2048 features", True,
            "Right: a 64x64 image gives 8192 features, so the head no longer fits."),
     Option("False: even the convolutions need exactly 32x32", False,
            "Convolution and pooling layers work on any size large enough for their kernels.")],
    "Convolution and pooling layers adapt to the input size; their output just gets bigger. "
    "The flatten + nn.Linear head has a fixed number of inputs, so it ties the whole model to "
    "one image size, unless you resize the images or add nn.AdaptiveAvgPool2d.",
)
