"""Quizzes for notebook 05 · Activation functions."""

from cnncourse.quiz import Option, Quiz

linear_or_not = Quiz(
    "Do activation functions such as ReLU make a network linear or non-linear?",
    [Option("Linear: they just pass the numbers on", False,
            "ReLU bends the line at 0; a function with a bend is not linear."),
     Option("Non-linear", True,
            "Right: without them, any stack of layers is one linear map in disguise."),
     Option("It makes no difference either way", False,
            "It makes all the difference; section 4 proves it numerically.")],
    "Convolutions and fully connected layers are linear maps (plus a constant). Composing "
    "linear maps gives another linear map, so depth alone adds nothing. A non-linear "
    "activation between layers is what lets each extra layer build more complex functions.",
)

two_convs = Quiz(
    "Two 3x3 convolutions are stacked with NO activation between them. What are they "
    "equivalent to?",
    [Option("Nothing simpler: two layers are always more powerful than one", False,
            "Only when something non-linear sits between them."),
     Option("One 3x3 convolution", False,
            "Close, but each output of the second layer sees a 5x5 patch of the input."),
     Option("One 5x5 convolution", True,
            "Yes: the two kernels combine into one 5x5 kernel, exactly."),
     Option("One fully connected layer over the whole image", False,
            "The combination is still local: a 5x5 window.")],
    "Each output of the second convolution is a weighted sum of a 3x3 patch of the first "
    "layer's output, each of which is a weighted sum of a 3x3 patch of the input. Weighted "
    "sums of weighted sums are weighted sums, over a 5x5 patch: one convolution.",
)

sigmoid_gradient = Quiz(
    "What is the largest gradient a sigmoid can pass backwards (its steepest slope)?",
    [Option("1, like ReLU", False, "Look at the gradient plot: the sigmoid's peak is lower."),
     Option("0.25", True, "Yes: at x = 0 the slope is 0.25, and less everywhere else."),
     Option("It is unbounded", False, "The sigmoid flattens out at both ends.")],
    "The sigmoid's slope is s(x)(1 - s(x)), at most 0.25 at x = 0. Backpropagation multiplies "
    "one such factor per layer, so deep sigmoid networks pass back tiny gradients (notebook "
    "09 measures this). ReLU's slope is exactly 1 for every positive input.",
)
