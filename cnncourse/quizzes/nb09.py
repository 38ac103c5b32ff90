"""Quizzes for notebook 09 · Expert zone."""

from cnncourse.quiz import Option, Quiz

bn_higher_lr = Quiz(
    "Predict first: the same CNN is trained with plain SGD at a large learning rate, once "
    "without and once with batch normalisation. What happens?",
    [
        Option("Both train equally well", feedback="Run the cell and compare the curves."),
        Option("The batch-norm version tolerates the large learning rate; the plain one "
               "trains much worse", correct=True,
               feedback="Normalising each layer's inputs keeps the steps well scaled."),
        Option("Batch norm makes it diverge", feedback="The reverse: batch norm is what lets "
               "people raise the learning rate."),
    ],
    "Batch norm rescales each channel to mean 0 and variance 1 over the batch, then applies a "
    "learned scale and shift. Activations stay in a sensible range whatever the weights do, "
    "so larger steps are safe and training is faster. That is the seed's 'stabilises "
    "training and allows higher learning rates', measured.",
)

vanishing = Quiz(
    "A plain CNN with 15 conv layers and no batch norm, at initialisation: how does the "
    "gradient norm of the FIRST layer compare with the last?",
    [
        Option("About the same", feedback="Measure it: the gap is many orders of magnitude."),
        Option("Much smaller: orders of magnitude", correct=True,
               feedback="Each layer multiplies the backward signal by a factor below 1."),
        Option("Much larger", feedback="That would be exploding gradients; with the default "
               "initialisation here they shrink."),
    ],
    "Backpropagation multiplies one factor per layer. When those factors are below 1, the "
    "product shrinks exponentially with depth, so the first layers barely learn. That is the "
    "vanishing-gradient problem.",
)

why_skips_work = Quiz(
    "A residual block computes y = x + F(x). Why does that help gradients reach early layers?",
    [
        Option("F(x) has fewer parameters", feedback="The block has exactly the same layers as "
               "its plain twin."),
        Option("dy/dx = 1 + dF/dx: the '1' passes the gradient through unchanged", correct=True,
               feedback="Even if dF/dx is tiny, the identity path carries the signal."),
        Option("The addition normalises the activations", feedback="Adding does not normalise; "
               "that is batch norm's job."),
    ],
    "The shortcut adds an identity term to each block's Jacobian, so the backward signal "
    "has a direct path to the first layers. Plain stacks only have the product of the "
    "layers' factors.",
)

augmentation_gap = Quiz(
    "Predict first: what does random crop + flip augmentation do to TRAIN accuracy and to "
    "the gap between train and test accuracy after a few epochs?",
    [
        Option("Train accuracy goes up, gap grows", feedback="Augmented images are harder to "
               "memorise, not easier."),
        Option("Train accuracy goes down (or grows slower), the gap shrinks", correct=True,
               feedback="The network cannot memorise exact pixels any more."),
        Option("No effect on either", feedback="Run it and compare the two bars."),
    ],
    "Augmentation shows the network a slightly different version of each image every epoch. "
    "Memorising gets harder, so training accuracy rises more slowly, while test accuracy "
    "holds up or improves: the train/test gap (overfitting) shrinks. In a very short run "
    "the test benefit may not show yet; the gap is the reliable signal.",
)

dropout_at_test = Quiz(
    "What does nn.Dropout(0.5) do to a prediction after model.eval()?",
    [
        Option("It still zeroes half the activations at random", feedback="Only in training "
               "mode; predictions would be random otherwise."),
        Option("Nothing: in eval mode it is the identity", correct=True,
               feedback="During training it zeroes and scales the rest by 1/(1-p), so the "
                        "expected activation already matches eval mode."),
        Option("It halves every activation", feedback="PyTorch uses 'inverted dropout': it "
               "scales during training, so nothing needs scaling at test time."),
    ],
    "Dropout and batch norm behave differently in training and evaluation. model.eval() "
    "switches both to their test behaviour; forgetting it is a classic silent bug (shown "
    "in this notebook).",
)

speedrun_reality = Quiz(
    "Which of these does NOT speed up training a CNN on a GPU?",
    [
        Option("Keeping the whole dataset on the GPU and augmenting it there",
               feedback="It removes the CPU data pipeline as a bottleneck."),
        Option("Mixed precision (bf16/fp16) and channels_last", feedback="They use the GPU's "
               "tensor cores."),
        Option("num_workers=8 in a DataLoader over tensors already on the GPU", correct=True,
               feedback="Worker processes help with decoding files on the CPU; for data already "
                        "on the GPU they only add overhead."),
    ],
    "The speed-runs win by never leaving the GPU: data preloaded, batch-wise augmentation on "
    "the device, low precision with tensor cores, channels_last memory layout and a short, "
    "aggressive learning-rate schedule.",
)
