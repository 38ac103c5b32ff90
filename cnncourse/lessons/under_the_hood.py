"""Lesson 09 · Under the hood: the reference solutions, their checks, and the quizzes."""

from __future__ import annotations

import torch
from torch.nn import functional as F

from cnncourse.course.exercises import Checks, Mistake, expect_close, expect_size, expect_tensor
from cnncourse.course.quiz import Option, Quiz, Quizzes

check = Checks("under_the_hood")
quiz = Quizzes("under_the_hood")


# Reference solutions ------------------------------------------------------------------------------

def receptive_field_size(kernel_sizes, strides):
    """Input pixels (per side) seen by one output of a stack of conv/pool layers."""
    size, jump = 1, 1            # one pixel; neighbouring outputs 1 input pixel apart
    for k, s in zip(kernel_sizes, strides):
        size += (k - 1) * jump   # a k-wide window reaches k - 1 more positions of the layer below
        jump *= s                # a stride spreads the next layer's inputs further apart
    return size


def numerical_grad(f, x, eps=1e-3):
    """Central finite differences: d f / d x[i] ~ (f(x + eps) - f(x - eps)) / (2 eps)."""
    grad = torch.zeros_like(x)
    flat, g = x.view(-1), grad.view(-1)
    for i in range(flat.numel()):
        old = flat[i].item()
        flat[i] = old + eps
        up = float(f(x))
        flat[i] = old - eps
        down = float(f(x))
        flat[i] = old            # put the value back before moving on
        g[i] = (up - down) / (2 * eps)
    return grad


# Checks -------------------------------------------------------------------------------------------

@check.of(receptive_field_size)
def check_receptive_field_size(fn):
    """Stacks with and without strides, against the layer-by-layer formula."""
    cases = [([3], [1]), ([3, 3], [1, 1]), ([3, 3, 3], [1, 1, 1]), ([3, 2, 3, 2], [1, 2, 1, 2]),
             ([5, 2, 3], [1, 2, 1]), ([7, 3, 3], [2, 2, 1])]
    for ks, ss in cases:
        got = expect_size(fn(list(ks), list(ss)), f"receptive_field_size({ks}, {ss})",
                          hint="A receptive field is a whole number of pixels.")
        want = receptive_field_size(ks, ss)
        if got == want:
            continue
        where = f"kernels {ks}, strides {ss}"
        if got == sum(ks):
            raise Mistake(f"for {where} you returned {got}, the sum of the kernel sizes. A "
                          "3x3 layer on top of another adds 2 pixels (kernel - 1), not 3: "
                          "start from size 1 and add (k - 1) * jump per layer.")
        if got == 1 + sum(k - 1 for k in ks):
            raise Mistake(f"for {where} you returned {got}: strides were ignored. After a "
                          "stride-2 layer, neighbouring outputs are 2 input pixels apart, so "
                          "every later layer adds (k - 1) * jump with jump multiplied by "
                          "each stride so far.")
        late = 1
        jump = 1
        for k, s in zip(ks, ss):
            jump *= s
            late += (k - 1) * jump
        if got == late:
            raise Mistake(f"for {where} you returned {got}: the stride was applied before the "
                          "layer's own kernel. A layer's stride only affects the layers after "
                          "it: add (k - 1) * jump first, then update jump *= stride.")
        raise Mistake(f"for {where} the receptive field is {want} pixels, you returned {got}.")
    return "receptive fields match the formula for every stack, strides included."


def _conv_loss(w: torch.Tensor) -> torch.Tensor:
    image = torch.linspace(-1, 1, 2 * 6 * 6, dtype=torch.float64).reshape(1, 2, 6, 6)
    return (F.conv2d(image, w) ** 3).sum()


def _grad_with_view(f, x, eps=1e-3):
    """What numerical_grad gives when ``old = flat[i]`` keeps a view instead of the number."""
    x = x.clone()
    grad = torch.zeros_like(x)
    flat, g = x.view(-1), grad.view(-1)
    for i in range(flat.numel()):
        old = flat[i]            # the slip: a view, so it follows every write to flat[i]
        flat[i] = old + eps
        up = float(f(x))
        flat[i] = old - eps      # old is now x[i] + eps, so this puts x[i] back
        down = float(f(x))
        flat[i] = old
        g[i] = (up - down) / (2 * eps)
    return grad


@check.of(numerical_grad)
def check_numerical_grad(fn):
    """Matches autograd on a cubic and on the loss of a conv2d, and leaves x unchanged."""
    g = torch.Generator().manual_seed(8)
    cases = [("sum(x**3)", lambda x: (x ** 3).sum(),
              torch.randn(5, generator=g, dtype=torch.float64) * 2),
             ("a conv2d loss w.r.t. its 3x3 kernel", _conv_loss,
              torch.randn(1, 2, 3, 3, generator=g, dtype=torch.float64))]
    for what, f, x in cases:
        before = x.clone()
        got = fn(f, x, eps=1e-3)
        if not torch.equal(x, before):
            raise Mistake(f"on {what}, x was changed by your function: after nudging x[i] by "
                          "+eps and -eps, put the original value back before moving on.")
        expect_tensor(got, tuple(x.shape), what=f"your gradient of {what}")
        xr = x.clone().requires_grad_(True)
        (true,) = torch.autograd.grad(f(xr), xr)
        got = got.double()
        if not torch.allclose(got, true, rtol=1e-4, atol=1e-5) and torch.allclose(
                got, true, rtol=1e-2, atol=1e-2):
            raise Mistake(f"on {what} your gradient is close to autograd's but off by "
                          f"{(got - true).abs().max().item():.2g}: that is the error of a "
                          "one-sided difference (f(x+eps) - f(x)) / eps. Use the central "
                          "difference (f(x+eps) - f(x-eps)) / (2*eps), which is far more "
                          "accurate.")
        slips = [(2 * true, f"on {what} your gradient is twice autograd's: the two nudged "
                            "points are 2*eps apart, so divide by 2 * eps."),
                 (true / 2, f"on {what} your gradient is half of autograd's: divide by 2 * eps, "
                            "not 4 * eps (or nudge by +eps and -eps, not +-eps/2)."),
                 (_grad_with_view(f, x), f"on {what} your gradient is about half of "
                  "autograd's: old = flat[i] is a view of x, not a copy, so flat[i] = old + eps "
                  "also changes old, and the 'minus' point lands back on x itself. Copy the "
                  "number out: old = flat[i].item() (or flat[i].clone()).")]
        expect_close(got, true, f"your gradient of {what}", rtol=1e-4, atol=1e-5,
                     hint="Nudge one entry at a time: x[i] + eps and x[i] - eps.", mistakes=slips)
    return "your finite differences agree with autograd to 1e-5."


# Quizzes ------------------------------------------------------------------------------------------

quiz.first_layer_filters = Quiz(
    "Before you look: SimpleCNN's first-layer filters are 3 × 3, trained for a few epochs. "
    "What can such a filter hold?",
    [
        Option("One pixel's brightness, with no direction",
               feedback="Nine weights can weigh the pixels on one side against the other: "
                        "notebook 03's 3 × 3 Sobel filter detects vertical edges only."),
        Option("A step in brightness or colour, any way", correct=True,
               feedback="Right: 9 weights per colour hold a local contrast, oriented or not. By "
                        "eye it can look like noise; the number below measures it."),
        Option("Tiny copies of whole objects, like a cat",
               feedback="A 3 × 3 filter sees 9 pixels; no object fits in it."),
        Option("Nothing: the first layer stays as it started",
               feedback="Training changes it: the neighbour correlation below measures how."),
    ],
    "First-layer filters are a handful of pixels wide, so all they can learn are local "
    "patterns: a change of brightness or colour from one pixel to the next, in a direction "
    "(notebook 03's Sobel filter is a 3 × 3 edge detector). Deeper layers combine them into "
    "larger patterns. The famous pictures of oriented edges and colour blobs come from large "
    "first layers (11 × 11 in AlexNet, 7 × 7 in ResNet) trained on ImageNet, where an edge is "
    "drawn wide enough to read; a 3 × 3 filter, rescaled on its own for display, can be hard "
    "to tell from its random start by eye, which is why the notebook measures it.",
)

quiz.receptive_field_two_convs = Quiz(
    "Two 3 × 3 conv layers (stride 1) are stacked. How many input pixels wide is the region "
    "that one output value of the SECOND layer depends on?",
    [
        Option("3 × 3", feedback="That is one layer. The second layer looks at 3 × 3 outputs "
               "of the first, and each of those sees its own 3 × 3 window."),
        Option("6 × 6", feedback="Neighbouring windows overlap, so it is 3 + 2, not 3 + 3."),
        Option("9 × 9", feedback="Sizes add (minus the overlap); they do not multiply."),
        Option("5 × 5", correct=True, feedback="Each extra 3 × 3 layer adds 2 pixels."),
    ],
    "Each stride-1 layer with a k × k kernel adds k - 1 pixels: 1 → 3 → 5. A stride or a "
    "pooling layer multiplies the growth of every layer after it, which is how a small stack "
    "comes to see most of a 32 × 32 image.",
)

quiz.equivariance = Quiz(
    "You shift an image 3 pixels to the right and run it through a conv layer (with "
    "padding). What happens to the feature map, away from the borders?",
    [
        Option("It stays exactly the same", feedback="That would be invariance; a conv layer "
               "keeps track of where things are."),
        Option("It shifts 3 pixels to the right", correct=True,
               feedback="The same filter is applied at every position, so the response moves "
                        "with the pattern."),
        Option("It changes in an unpredictable way", feedback="Weight sharing makes the change "
               "exactly predictable: a shift."),
    ],
    "Convolution is translation EQUIVARIANT: shift the input and the output shifts by the "
    "same amount (away from the borders, where the padding differs). What that means for the "
    "predicted class is the next question.",
)

quiz.myth_filters_invariant = Quiz(
    "Myth or fact: 'CNNs are translation invariant'. Feature maps move with the input, as "
    "you just measured. What happens to a trained CNN's predicted classes when the test "
    "images shift by a few pixels?",
    [
        Option("They can never change: CNNs are invariant",
               feedback="The feature maps do change, and some of that reaches the head: "
                        "the measurement below prints how many predictions stay the same."),
        Option("Most of them change, as the maps do",
               feedback="Pooling and global averaging discard much of the position, so most "
                        "predictions survive a small shift."),
        Option("Most stay the same, but some of them change", correct=True,
               feedback="Invariance is approximate: it grows through pooling and averaging, "
                        "and it is never exact."),
    ],
    "The filters detect a pattern anywhere (weight sharing), but the feature map says WHERE "
    "it was found. Invariance of the class decision comes later and is only approximate: a "
    "max pool keeps its value only when a shift leaves the maximum inside its window, and "
    "global averaging or the classifier head can discard position. The measurement below "
    "shows feature maps changing a lot under a shift while the global average moves little "
    "and most predictions survive small shifts.",
)

quiz.conv_vs_dense = Quiz(
    "Turning a 32 × 32 × 3 image into 16 feature maps of 32 × 32: a 3 × 3 conv layer needs "
    "448 parameters. How many does a fully connected layer with the same input and output "
    "size need?",
    [
        Option("About the same: a few hundred", feedback="A fully connected layer connects "
               "every input to every output."),
        Option("About 10 times more", feedback="Far more than that."),
        Option("About 1,000 times more", feedback="Far more still: count inputs times "
               "outputs."),
        Option("Over 100,000 times more", correct=True,
               feedback="3,072 inputs × 16,384 outputs + 16,384 biases: about 50 million."),
    ],
    "Local connections (each output sees 3 × 3 × 3 inputs) and weight sharing (the same 16 "
    "filters everywhere) cut 50,348,032 parameters down to 16 × (27 + 1) = 448. That is why "
    "CNNs, not fully connected networks, made training on images practical.",
)

quiz.complex_cells = Quiz(
    "In the visual cortex, 'simple cells' respond to an edge at one exact spot, and "
    "'complex cells' respond to that edge anywhere in a small neighbourhood. Which CNN layer "
    "plays the complex cell?",
    [
        Option("The pooling layer", correct=True,
               feedback="A max over a small window fires if the pattern is anywhere in it."),
        Option("The convolution", feedback="A conv unit is the simple cell: one pattern at "
               "one position."),
        Option("The fully connected head", feedback="The head combines everything; it is "
               "closer to the object-level areas further along."),
    ],
    "Hubel and Wiesel's simple cells have small receptive fields and prefer an oriented edge "
    "at one place, like a conv filter. Complex cells pool over simple cells, like max "
    "pooling. Stacking such stages gives the hierarchy from edges to objects that CNNs copy.",
)

quiz.saliency_vs_gradcam = Quiz(
    "Which map of the same image will show finer, pixel-by-pixel detail: the saliency map, "
    "or Grad-CAM on conv2?",
    [
        Option("The Grad-CAM map", feedback="Grad-CAM has one value per cell of conv2's 16 × 16 "
               "grid, smoothly resized: it is the coarse, smooth one."),
        Option("The saliency map", correct=True,
               feedback="It has its own value for every input pixel, so it is fine-grained and "
                        "often speckled."),
        Option("Neither: they look the same", feedback="They answer different questions, at "
               "different resolutions; the number below the maps measures the difference."),
    ],
    "Saliency asks 'which pixels would change this logit most?', per pixel, so neighbouring "
    "pixels can differ a lot. Grad-CAM asks 'which regions of a deep feature map support this "
    "class?', at that layer's 16 × 16 resolution, then resizes the map smoothly (bilinear) to "
    "the image: coarser and smoother, usually less noisy.",
)
