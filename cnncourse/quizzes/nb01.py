"""Quizzes for notebook 01 · Pixels as numbers."""

from cnncourse.quiz import Option, Quiz

numbers_in_image = Quiz(
    "A CIFAR-10 picture is 32 pixels wide, 32 pixels tall and in colour (RGB). How many "
    "numbers does the computer store for it?",
    [
        Option("32 × 32 = 1,024", feedback="That counts pixels; each colour pixel holds "
               "three numbers."),
        Option("32 × 32 × 3 = 3,072", correct=True,
               feedback="One red, one green and one blue value per pixel."),
        Option("3", feedback="Three is the number of channels, not of values."),
        Option("32 × 32 × 256 = 262,144", feedback="256 is how many values one number can "
               "take (0..255), not how many numbers there are."),
    ],
    "Every pixel of an RGB image is three numbers, so the image is a 3 × 32 × 32 block of "
    "3,072 numbers. That is all a network ever receives.",
)

uint8_overflow = Quiz(
    "A pixel stored as uint8 has the value 200. You add 100 to brighten it, still in uint8. "
    "What do you get?",
    [
        Option("300", feedback="uint8 cannot hold 300: its largest value is 255."),
        Option("255 (it saturates)", feedback="Some image libraries clip like that, but plain "
               "uint8 arithmetic in PyTorch and NumPy does not."),
        Option("44 (it wraps around)", correct=True,
               feedback="300 - 256 = 44: uint8 arithmetic wraps modulo 256."),
        Option("An error", feedback="No error is raised, which is what makes this bug silent."),
    ],
    "uint8 holds 0..255 and wraps around modulo 256, so 200 + 100 = 44: a bright pixel turns "
    "dark without any warning. Convert to float before doing arithmetic on pixels.",
)

batch_shape = Quiz(
    "You stack 64 CIFAR-10 images (RGB, 32 × 32) into one batch for PyTorch. What is its "
    "shape?",
    [
        Option("(64, 32, 32, 3)", feedback="That is channels-last (HWC), the layout of image "
               "files and matplotlib, not of PyTorch layers."),
        Option("(64, 3, 32, 32)", correct=True,
               feedback="(N, C, H, W): batch, channels, height, width."),
        Option("(3, 32, 32, 64)", feedback="The batch dimension always comes first."),
        Option("(64, 3072)", feedback="That is a flattened batch, which is what an MLP sees, "
               "not what a conv layer expects."),
    ],
    "PyTorch's conv layers expect (N, C, H, W). Image files and matplotlib use (H, W, C), so "
    "you convert with permute(2, 0, 1) for one image and stack images along a new first axis.",
)
