"""Quizzes for notebook 08 · Under the hood."""

from cnncourse.quiz import Option, Quiz

first_layer_filters = Quiz(
    "Before you look: what do the first-layer filters of a trained CNN usually look like?",
    [
        Option("Random noise: the pictures only appear in deeper layers",
               feedback="Even after a short training run the first layer shows some structure."),
        Option("Small edge, stripe and colour-blob detectors", correct=True,
               feedback="A 3 × 3 or 5 × 5 window is too small for anything but local patterns."),
        Option("Tiny copies of whole objects (a cat, a car)",
               feedback="A 3 × 3 filter sees 9 pixels; no object fits in it."),
    ],
    "First-layer filters are a handful of pixels wide, so all they can learn are local "
    "patterns: oriented edges, colour contrasts, blobs. Deeper layers combine them into larger "
    "patterns. Expect a short CPU run to give noisier filters than a long GPU run.",
)

receptive_field_two_convs = Quiz(
    "Two 3 × 3 conv layers (stride 1) are stacked. How many input pixels wide is the region "
    "that one output value of the SECOND layer depends on?",
    [
        Option("3 × 3", feedback="That is one layer. The second layer looks at 3 × 3 outputs "
               "of the first, and each of those sees its own 3 × 3 window."),
        Option("5 × 5", correct=True, feedback="Each extra 3 × 3 layer adds 2 pixels."),
        Option("6 × 6", feedback="Neighbouring windows overlap, so it is 3 + 2, not 3 + 3."),
        Option("9 × 9", feedback="Sizes add (minus the overlap); they do not multiply."),
    ],
    "Each stride-1 layer with a k × k kernel adds k - 1 pixels: 1 → 3 → 5. A stride or a "
    "pooling layer multiplies the growth of every layer after it, which is how a small stack "
    "comes to see most of a 32 × 32 image.",
)

equivariance = Quiz(
    "You shift an image 3 pixels to the right and run it through a conv layer (with "
    "padding). What happens to the feature map, away from the borders?",
    [
        Option("It does not change at all", feedback="That would be invariance; a conv layer "
               "keeps track of where things are."),
        Option("It shifts 3 pixels to the right too", correct=True,
               feedback="The same filter is applied at every position, so the response moves "
                        "with the pattern."),
        Option("It changes unpredictably", feedback="Weight sharing makes the change exactly "
               "predictable: a shift."),
    ],
    "Convolution is translation EQUIVARIANT: shift the input and the output shifts by the "
    "same amount. Pooling and global averaging later throw position away, which makes the "
    "final answer approximately invariant to small shifts.",
)

myth_filters_invariant = Quiz(
    "Myth or fact: 'a CNN's filters are translation invariant: their output is the same "
    "wherever the pattern appears'.",
    [
        Option("Fact: that is what weight sharing means",
               feedback="Weight sharing means the same filter is used everywhere, so the "
                        "response MOVES with the pattern. The measurement below shows it."),
        Option("Myth, strictly: conv outputs are equivariant; only pooling and global "
               "averaging make the final answer (approximately) invariant", correct=True,
               feedback="The measurement below shifts an image and compares both."),
    ],
    "The filters detect a pattern anywhere (weight sharing), but the feature map says WHERE "
    "it was found. Invariance of the class decision comes later and is only approximate: max "
    "pooling forgives shifts inside its window, and global averaging or the classifier head "
    "can discard position. The measurement below shows feature maps changing a lot under a "
    "shift while the global average and most predictions barely move.",
    title="Myth buster",
)

conv_vs_dense = Quiz(
    "Turning a 32 × 32 × 3 image into 16 feature maps of 32 × 32: a 3 × 3 conv layer needs "
    "448 parameters. How many does a fully connected layer with the same input and output "
    "size need?",
    [
        Option("About the same", feedback="A dense layer connects every input to every output."),
        Option("About 10 times more", feedback="Far more than that."),
        Option("About 50 million: over 100,000 times more", correct=True,
               feedback="3,072 inputs × 16,384 outputs + 16,384 biases."),
    ],
    "Local connections (each output sees 3 × 3 × 3 inputs) and weight sharing (the same 16 "
    "filters everywhere) cut 50,348,032 parameters down to 16 × (27 + 1) = 448. That is why "
    "CNNs, not fully connected networks, made training on images practical.",
)

complex_cells = Quiz(
    "In the visual cortex, 'simple cells' respond to an edge at one exact spot, and "
    "'complex cells' respond to that edge anywhere in a small neighbourhood. Which CNN layer "
    "plays the complex cell?",
    [
        Option("The convolution", feedback="A conv unit is the simple cell: one pattern at "
               "one position."),
        Option("The pooling layer", correct=True,
               feedback="A max over a small window fires if the pattern is anywhere in it."),
        Option("The fully connected head", feedback="The head combines everything; it is "
               "closer to the object-level areas further along."),
    ],
    "Hubel and Wiesel's simple cells have small receptive fields and prefer an oriented edge "
    "at one place, like a conv filter. Complex cells pool over simple cells, like max "
    "pooling. Stacking such stages gives the hierarchy from edges to objects that CNNs copy.",
)

saliency_vs_gradcam = Quiz(
    "Predict first: which map will be blockier, saliency (gradient w.r.t. each input pixel) "
    "or Grad-CAM on conv2 (a 16 × 16 feature map, resized to 32 × 32)?",
    [
        Option("Saliency", feedback="Saliency has one value per input pixel: it is the "
               "fine-grained (and often noisy) one."),
        Option("Grad-CAM", correct=True,
               feedback="It lives on the 16 × 16 grid of conv2 and is then resized."),
        Option("They are identical", feedback="They answer different questions and differ "
               "visibly below."),
    ],
    "Saliency asks 'which pixels would change this logit most?', per pixel. Grad-CAM asks "
    "'which regions of a deep feature map support this class?', at that layer's resolution. "
    "Grad-CAM is coarser but usually less noisy.",
)
