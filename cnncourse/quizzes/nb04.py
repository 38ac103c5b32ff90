"""Quizzes for notebook 04 · Pooling."""

from cnncourse.quiz import Option, Quiz

pooling_size = Quiz(
    "A 2x2 max-pooling layer with stride 2 is applied to a 16-channel 32x32 feature map. "
    "What comes out?",
    [Option("A bigger map: 16 channels of 64x64", False,
            "Pooling never adds positions; it summarises windows, so the map shrinks."),
     Option("16 channels of 16x16", True,
            "Each 2x2 window becomes one number: half the height, half the width, a quarter "
            "of the values, and the channel count is untouched."),
     Option("1 channel of 32x32", False,
            "Pooling works on each channel separately and keeps them all; it shrinks height "
            "and width only."),
     Option("16 channels of 31x31", False,
            "That would be a 2x2 window with stride 1. With stride 2 the windows do not "
            "overlap.")],
    "Pooling decreases the size of the representation: (32 - 2) // 2 + 1 = 16 along each "
    "side, channel by channel. Fewer values means less computation in the layers that follow.",
)

pool_parameters = Quiz(
    "How many learnable parameters does nn.MaxPool2d(2) have?",
    [Option("4, one per window position", False,
            "There are no weights to learn: the rule 'take the largest' is fixed."),
     Option("0", True, "Right: pooling is a fixed operation with nothing to train."),
     Option("It depends on the number of channels", False,
            "That is true of a convolution, not of pooling.")],
    "Max and average pooling are fixed rules. They have no weights, so training cannot teach "
    "them anything; they only reduce what the convolutions produced.",
)

shift_robustness = Quiz(
    "Shift an image 1 pixel to the right. Which changes less: the edge feature map, or the "
    "same map after 2x2 max pooling?",
    [Option("The feature map", False, "Measure it below: the raw map changes more."),
     Option("The max-pooled map", True,
            "Yes: a strong value that moves by one pixel often stays inside the same 2x2 "
            "window, so the window's maximum does not change."),
     Option("They change by exactly the same amount", False,
            "Pooling keeps one value per window, and a small move often stays within the "
            "window.")],
    "Max pooling reports the strongest response in each window regardless of where in the "
    "window it sits, so small shifts change the pooled map less. It reduces the effect of a "
    "shift; it does not remove it.",
)

adds_information = Quiz(
    "Myth check: can a pooling layer create new information that was not in its input "
    "feature map?",
    [Option("Yes: it combines values into new, richer features", False,
            "That is the myth. Combining values with learned weights is what convolutions do; "
            "pooling has no weights."),
     Option("No: it only keeps a summary (the max or the mean) of each window", True,
            "Right: the output is a fixed function of the input, so it cannot contain more "
            "than the input did."),
     Option("Only average pooling adds information", False,
            "Averaging is also a fixed summary; it blurs detail away, it does not add any.")],
    "The pooled map is computed from the input by a fixed rule, so it cannot hold more "
    "information than the input. It holds less: many different inputs give the same pooled "
    "output. Pooling is used to shrink maps and tolerate small shifts, not to add features.",
)
