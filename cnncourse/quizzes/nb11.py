"""Quizzes for notebook 11 · Capstone: a self-assessment on the course's key takeaways."""

from cnncourse.quiz import Option, Quiz

TITLE = "Self-assessment"

local_to_global = Quiz(
    "How does a CNN build up its understanding of an image?",
    [
        Option("It compares the whole image with stored templates",
               feedback="That is nearest-neighbour matching, not a CNN."),
        Option("Small filters find simple local patterns; later layers combine them into "
               "larger ones", correct=True, feedback="Edges → textures → parts → objects."),
        Option("Each neuron looks at every pixel once", feedback="That is a fully connected "
               "layer; conv units see a small window."),
    ],
    "Convolution finds local patterns with shared weights, and stacking layers (with "
    "pooling or strides) grows each unit's receptive field until it covers the object.",
    title=TITLE,
)

layer_roles = Quiz(
    "Which layer shrinks the feature maps and has NO learnable parameters?",
    [
        Option("Convolution", feedback="Its filters are learned weights."),
        Option("Max pooling", correct=True, feedback="It keeps the largest value per window."),
        Option("ReLU", feedback="ReLU has no parameters, but it keeps the size."),
        Option("Linear", feedback="A linear layer has the most parameters of all."),
    ],
    "Convolution detects features (learned), the activation adds non-linearity, pooling "
    "shrinks the maps and adds a little shift tolerance, and the fully connected head turns "
    "the final features into class scores.",
    title=TITLE,
)

no_activation = Quiz(
    "What happens if you stack conv layers with no activation function in between?",
    [
        Option("Training is faster and just as accurate", feedback="It is faster, but "
               "notebook 05 showed the stack collapses into one linear map."),
        Option("The whole stack is equivalent to a single linear layer", correct=True,
               feedback="A composition of linear maps is linear."),
        Option("PyTorch raises an error", feedback="It runs silently; that is why it is a "
               "pitfall."),
    ],
    "Without a non-linearity between them, conv layers compose into one linear map, so depth "
    "adds nothing. ReLU after each conv is what lets depth build complex features.",
    title=TITLE,
)

head_needs_fixed_size = Quiz(
    "The course's SimpleCNN was built for 32 × 32 images. You feed it a 64 × 64 image. What "
    "happens, and what is a fix?",
    [
        Option("It works: convolutions accept any size",
               feedback="The convs do, but the flattened vector no longer fits fc1."),
        Option("A shape error at the first Linear layer; resize to 32 × 32 or add "
               "nn.AdaptiveAvgPool2d before flattening", correct=True,
               feedback="Both fixes give the head the fixed-length vector it expects."),
        Option("It silently predicts for 4 images", feedback="With torch.flatten(x, 1) it fails "
               "loudly; with the seed's x.view(-1, 2048) it would silently change the batch, "
               "which notebook 06 showed."),
    ],
    "Fully connected layers need a fixed-length input. Resize images to the training size, "
    "or use global (adaptive) pooling so the head's input length no longer depends on the "
    "image size.",
    title=TITLE,
)

logits_argmax = Quiz(
    "model(x) returns logits. Is torch.argmax(model(x), dim=1) a correct prediction, or "
    "must you apply softmax first?",
    [
        Option("Softmax first, otherwise the prediction is wrong",
               feedback="Softmax is monotonic: it never changes which score is largest."),
        Option("argmax of the logits is already the prediction; softmax is only needed for "
               "probabilities", correct=True, feedback="And CrossEntropyLoss wants logits."),
    ],
    "The model outputs logits. Softmax turns them into probabilities without changing their "
    "order, so argmax is the same either way. Use dim=1 for a batch. Pass logits, never "
    "probabilities, to nn.CrossEntropyLoss.",
    title=TITLE,
)

beyond_basics = Quiz(
    "Your deep CNN trains slowly and its first layers barely change. Which pair of tools "
    "from notebook 09 addresses this?",
    [
        Option("Dropout and weight decay", feedback="They fight overfitting, not vanishing "
               "gradients."),
        Option("Batch normalisation and skip connections", correct=True,
               feedback="BN keeps activations well scaled; skips give gradients a direct path."),
        Option("A larger batch size", feedback="It changes the noise in the gradient, not "
               "how it shrinks with depth."),
    ],
    "Batch norm stabilises training and allows higher learning rates; residual connections "
    "keep gradients alive through depth. Augmentation and regularisation then help the model "
    "generalise.",
    title=TITLE,
)

production = Quiz(
    "A phone app needs a 10-class image classifier and you have 2,000 labelled images. "
    "What is the usual approach?",
    [
        Option("Design and train a big CNN from scratch", feedback="2,000 images are too few."),
        Option("Fine-tune a small pretrained model (e.g. MobileNetV3) with augmentation, "
               "preprocessing it exactly as in training", correct=True,
               feedback="Transfer learning plus a model chosen for its measured latency."),
        Option("Use a fully connected network on the pixels", feedback="Far more parameters "
               "and no use of spatial structure."),
    ],
    "In production, CNNs are pretrained on large datasets and fine-tuned; the architecture "
    "is chosen by measured accuracy and speed; augmentation and regularisation improve "
    "robustness; inference repeats the training preprocessing exactly.",
    title=TITLE,
)
