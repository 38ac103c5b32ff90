"""Quizzes for notebook 03 · Convolution."""

from cnncourse.quiz import Option, Quiz

whole_or_parts = Quiz(
    "Before reading on: does a convolution layer look at the whole image at once, or at "
    "small parts of it? Commit to your answer.",
    [
        Option("The whole image at once, like a fully connected layer",
               feedback="That is what an MLP's neurons do; a conv filter is much smaller."),
        Option("Small parts, one window at a time", correct=True,
               feedback="A small kernel (say 3 × 3) slides over the image window by window."),
        Option("One pixel at a time", feedback="Each output uses a whole small window, not a "
               "single pixel (except for a 1 × 1 kernel)."),
    ],
    "A conv layer slides a small kernel over the image. Each output value is a "
    "multiply-and-sum over one small window, and the same kernel is reused at every position.",
)

myth_sees_whole_image = Quiz(
    "Myth or fact: one output value of a single 3 × 3 convolution depends on every pixel of "
    "the input image.",
    [
        Option("Fact: convolution mixes the whole image",
               feedback="The demonstration below changes a far-away pixel and the output value "
                        "stays exactly the same."),
        Option("Myth: it depends only on the 3 × 3 window under the kernel", correct=True,
               feedback="Its receptive field is the 9 pixels under the kernel."),
    ],
    "Each output of a 3 × 3 conv depends on exactly 9 input values per channel (its receptive "
    "field). Stacking layers grows the receptive field step by step; no single conv layer "
    "sees the whole image.",
    title="Myth buster",
)

output_size = Quiz(
    "A 32 × 32 image goes through a 5 × 5 convolution with no padding and stride 1. How big "
    "is the output?",
    [
        Option("32 × 32", feedback="Only with padding 2; without it, the kernel cannot be "
               "centred on the border pixels."),
        Option("28 × 28", correct=True, feedback="(32 - 5) // 1 + 1 = 28."),
        Option("27 × 27", feedback="Off by one: count the first window too."),
        Option("6 × 6", feedback="That would be the result of dividing by the kernel size, "
               "i.e. stride 5."),
    ],
    "Output size = (size + 2·padding - kernel_size) // stride + 1 = (32 + 0 - 5) // 1 + 1 = 28. "
    "With padding=2 the output would stay 32 × 32.",
)

conv_params = Quiz(
    "How many learnable parameters does nn.Conv2d(3, 16, kernel_size=3) have?",
    [
        Option("9", feedback="That is one 3 × 3 kernel for one input channel."),
        Option("144", feedback="16 filters × 9 weights forgets that each filter spans all "
               "3 input channels."),
        Option("448", correct=True, feedback="16 × 3 × 3 × 3 = 432 weights + 16 biases."),
        Option("About 50,000", feedback="That is the scale of a fully connected layer on the "
               "same image; a conv layer's size does not depend on the image size."),
    ],
    "Each of the 16 filters is 3 × 3 × 3 (it spans the 3 input channels) plus one bias: "
    "16 × (27 + 1) = 448, whatever the size of the image.",
)

is_it_convolution = Quiz(
    "In signal processing, convolution flips the kernel before sliding it. Does PyTorch's "
    "nn.Conv2d flip its kernel?",
    [
        Option("Yes, it is a true convolution", feedback="Compare the numbers below: it "
               "matches the unflipped multiply-and-sum."),
        Option("No, it computes cross-correlation", correct=True,
               feedback="It slides the kernel as it is; flipping gives the textbook "
                        "convolution."),
    ],
    "Deep-learning 'convolution' is cross-correlation. For a learned kernel it makes no "
    "difference (the network simply learns the flipped kernel), but it matters when you copy "
    "a filter from a signal-processing book.",
)
