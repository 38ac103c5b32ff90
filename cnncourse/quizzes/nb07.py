"""Quizzes for notebook 07 · Build a CNN in PyTorch."""

from cnncourse.quiz import Option, Quiz

which_layers = Quiz(
    "Should the code of a CNN image classifier include convolution, activation, pooling and "
    "fully connected layers?",
    [Option("Yes: convolution + activation (+ pooling) blocks, then flatten and fully "
            "connected layers", True,
            "That is the classic recipe, and the model below follows it exactly."),
     Option("Only convolutions: the others are optional decoration", False,
            "Without activations the convolutions collapse into one (notebook 05), and "
            "something must turn feature maps into class scores."),
     Option("Only fully connected layers: convolutions are an optimisation", False,
            "An MLP can classify images, but with far more parameters and no built-in "
            "notion of local patterns (see the parameter count below).")],
    "The classic CNN stacks convolution + activation + pooling blocks and ends with flatten "
    "and fully connected layers. Convolutions and activations are essential; the other two "
    "have substitutes in modern designs (strided convolutions instead of pooling, global "
    "average pooling instead of a large fully connected head), but the roles stay the same.",
)

cnn_vs_mlp = Quiz(
    "Which has more parameters: SimpleCNN, or an MLP with one hidden layer of 256 units on "
    "the same 32x32 RGB images?",
    [Option("SimpleCNN: it has more layers", False,
            "More layers, but convolution kernels are tiny and shared across positions."),
     Option("The MLP", True, "Yes, about three times as many, counted below."),
     Option("About the same", False, "Count them below: it is not close.")],
    "The MLP's first layer connects all 3072 input values to each of 256 units: 786,432 "
    "weights in one layer. SimpleCNN's convolutions need only 5,088 parameters, and most of "
    "its 268,650 sit in fc1.",
)

forget_zero_grad = Quiz(
    "In the training loop, what happens if you forget optimizer.zero_grad()?",
    [Option("Nothing: backward() overwrites the old gradients", False,
            "backward() adds to p.grad; it never overwrites."),
     Option("Gradients from every previous batch pile up, so the updates grow and go wrong",
            True, "Right: PyTorch accumulates gradients on purpose (useful for very large "
            "batches), so you must clear them each step."),
     Option("PyTorch raises an error", False, "It does not; the bug is silent.")],
    "loss.backward() adds each new gradient to p.grad. Without zero_grad the step uses the sum "
    "of all gradients so far, which is wrong and grows with every batch.",
)

chance_accuracy = Quiz(
    "Before any training, what test accuracy do you expect from the model on 10 balanced "
    "classes?",
    [Option("About 0%", False, "Random guesses are right sometimes: one time in ten."),
     Option("About 10%", True, "Yes: an untrained model is as good as a random guess."),
     Option("About 50%", False, "That would be chance with 2 classes, not 10.")],
    "With 10 equally common classes, guessing gives 1 in 10. Any accuracy well above 10% "
    "after training is something the model learned.",
)

weights_only = Quiz(
    "Why load saved weights with torch.load(path, weights_only=True)?",
    [Option("It is faster", False, "Speed is not the point."),
     Option("A checkpoint is a pickle file, and unpickling arbitrary objects can run code; "
            "weights_only=True only accepts tensors and plain containers", True,
            "Right: it turns a file from the internet from a possible program into data."),
     Option("It makes the file smaller", False, "The file is the same; only loading changes.")],
    "torch.save uses Python's pickle, which can rebuild arbitrary objects, and rebuilding them "
    "can execute code hidden in the file. weights_only=True restricts loading to tensors and "
    "simple containers, so a state_dict loads but a booby-trapped object does not. (It is the "
    "default since PyTorch 2.6; writing it makes the intent clear on every version.)",
)
