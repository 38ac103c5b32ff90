"""Quizzes for notebook 10 · Production patterns."""

from cnncourse.quiz import Option, Quiz

extract_or_finetune = Quiz(
    "You have 500 labelled photos and a network pretrained on ImageNet. Which is the safer "
    "first step?",
    [
        Option("Train the whole network from random weights",
               feedback="500 images are far too few; a CNN this size would overfit."),
        Option("Freeze the pretrained layers and train only a new final layer "
               "(feature extraction)", correct=True,
               feedback="Few parameters to learn, so little data is enough."),
        Option("Fine-tune every layer with a large learning rate",
               feedback="A large rate wipes out the pretrained features. Fine-tuning uses a "
                        "small rate, usually after the new head has been trained."),
    ],
    "Feature extraction trains only the new head on top of frozen features. Fine-tuning also "
    "updates the backbone, with a small learning rate, and pays off when you have more data "
    "or your images look unlike ImageNet.",
)

preprocessing_mismatch = Quiz(
    "A model was trained on normalised images (subtract the mean, divide by the std). At "
    "inference time someone feeds plain [0, 1] pixels. What happens?",
    [
        Option("PyTorch raises an error", feedback="The shapes are fine, so nothing complains."),
        Option("Nothing: the network is robust to that", feedback="Measure it below."),
        Option("No error, but the predictions and confidences change: a silent bug",
               correct=True, feedback="The network sees inputs from a distribution it never "
                                      "saw in training."),
    ],
    "Inference must repeat the training preprocessing exactly: the same resize, the same "
    "scaling to [0, 1], the same mean and std, the same channel order. Pretrained torchvision "
    "weights carry their own recipe in weights.transforms().",
)

params_vs_latency = Quiz(
    "Predict first: does the model with the fewest parameters always have the lowest CPU "
    "latency?",
    [
        Option("Yes, compute is proportional to parameters",
               feedback="Conv layers reuse each weight at every position, so compute depends "
                        "on image size and layer layout too."),
        Option("No: measure it; parameters, compute and latency are different things",
               correct=True, feedback="The table below shows it for the candidate models."),
    ],
    "Parameters decide memory and download size. Latency depends on the number of "
    "multiply-adds (which grows with image size), on how well each layer type runs on your "
    "hardware (depthwise convs are cheap in FLOPs but not always fast) and on the batch "
    "size. Choose a production model from a measured table, not from the parameter count.",
)

tabular = Quiz(
    "A table of customer data has 20 columns in no particular order. Is a CNN a good choice?",
    [
        Option("Yes: a table is a grid, like an image",
               feedback="A conv filter assumes that neighbouring columns are related. Here "
                        "column order is arbitrary."),
        Option("No: there is no spatial structure for local filters to exploit", correct=True,
               feedback="Shuffle the columns and nothing about the data changes, but a CNN's "
                        "view of it does."),
    ],
    "CNNs assume locality (neighbours matter together) and translation equivariance (the "
    "same pattern can appear anywhere). Tabular data has neither; gradient-boosted trees or a "
    "small MLP are the usual tools. For sequences, CNNs can work (1D conv) but recurrent "
    "networks and transformers capture long-range order better.",
)

conv1d_detects = Quiz(
    "An nn.Conv1d with kernel_size=3 slides over a one-hot character sequence. What can one "
    "of its filters detect?",
    [
        Option("Whether the whole sentence is positive",
               feedback="One filter sees only 3 characters at a time."),
        Option("A particular 3-character pattern, wherever it occurs", correct=True,
               feedback="The same weights are applied at every position, like a 2D filter "
                        "over an image."),
        Option("Nothing: convolutions only work on images",
               feedback="Convolution works on any grid: 1D sequences, 2D images, 3D volumes."),
    ],
    "A 1D conv is the same idea as a 2D one along a single axis: local windows, shared "
    "weights. Stacked and followed by a max over positions, it becomes a text classifier; "
    "this is how CNNs are used in NLP.",
)
