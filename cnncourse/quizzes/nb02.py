"""Quizzes for notebook 02 · Neural-network basics."""

from cnncourse.quiz import Option, Quiz

softmax_shift = Quiz(
    "Take the logits [2.0, 1.0, 0.1] and add 100 to each one: [102.0, 101.0, 100.1]. What "
    "happens to the softmax probabilities?",
    [
        Option("They stay exactly the same", correct=True,
               feedback="Softmax only depends on the differences between logits."),
        Option("They all move closer to 1", feedback="They still have to sum to 1, so they "
               "cannot all grow."),
        Option("The largest one grows towards 1", feedback="That happens when you MULTIPLY the "
               "logits by a big number, not when you add one."),
        Option("They become nan", feedback="Only a naive implementation overflows; the maths "
               "itself is unchanged."),
    ],
    "exp(z + c) / Σ exp(z + c) = exp(z) / Σ exp(z): the factor exp(c) cancels. That is why a "
    "stable softmax may subtract the largest logit before calling exp.",
)

gradient_direction = Quiz(
    "The gradient of the loss with respect to a weight is +3. To lower the loss a little, "
    "which way should that weight move?",
    [
        Option("Up, with the gradient", feedback="The gradient points uphill: moving with it "
               "INCREASES the loss."),
        Option("Down, against the gradient", correct=True,
               feedback="w_new = w - lr * grad: a positive gradient means decrease w."),
        Option("It should not move", feedback="A non-zero gradient says the loss changes when "
               "w changes, so there is a better value nearby."),
    ],
    "The gradient is the direction of steepest increase. Gradient descent steps the opposite "
    "way, w - lr * grad, with a small learning rate lr so the step does not overshoot.",
)

mlp_first_layer = Quiz(
    "An MLP takes a 32 × 32 RGB image, flattened, into a hidden layer of 256 neurons. How "
    "many weights does that first layer have (ignore the biases)?",
    [
        Option("256", feedback="That is one weight per neuron; each neuron has one weight "
               "PER INPUT."),
        Option("3,072", feedback="That is the weights of ONE neuron."),
        Option("About 786,000", correct=True,
               feedback="3,072 inputs × 256 neurons = 786,432 weights."),
        Option("About 9 (a 3 × 3 window)", feedback="That is how a convolution works, as you "
               "will see in notebook 03 — not a fully connected layer."),
    ],
    "Every neuron of a fully connected layer connects to every input: 3,072 × 256 = 786,432 "
    "weights for a tiny 32 × 32 image, and it grows with the image area. A convolution reuses "
    "a small kernel at every position instead.",
)
