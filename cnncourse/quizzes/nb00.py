"""Quizzes for notebook 00 (start here)."""

from cnncourse.quiz import Option, Quiz

last_layer = Quiz(
    "A CNN classifies a photo into 10 classes. What comes out of its last layer?",
    [Option("The name of the class, as text", False,
            "Networks only produce numbers; turning a number into a name is a lookup we do "
            "afterwards."),
     Option("10 numbers, one score per class", True,
            "Yes: one raw score (a logit) per class. The biggest score is the prediction."),
     Option("A smaller copy of the image", False,
            "That is what the middle layers produce (feature maps); the last layer produces "
            "one number per class.")],
    "The final fully connected layer maps the features to one score per class, called logits. "
    "Softmax can turn them into probabilities, but the largest logit already names the "
    "predicted class.",
)

local_patches = Quiz(
    "How does a convolution layer look at an image?",
    [Option("All pixels at once, like a fully connected layer", False,
            "That is the common myth. Notebook 03 shows that each output depends only on a "
            "small window."),
     Option("Through a small window that slides across the image", True,
            "Right: the same small filter is applied at every position."),
     Option("One row of pixels at a time", False,
            "Rows are not special; the window is a small square that moves in both "
            "directions.")],
    "A convolution applies one small filter (say 3x3) at every position. Stacking layers lets "
    "later layers combine many small windows into a view of larger regions.",
)
