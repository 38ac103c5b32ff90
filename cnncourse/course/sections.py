"""Which section of each notebook makes the names that later cells use.

Generated from the notebooks by ``python tests/test_sections.py --write`` (a test keeps it in
step): the directions a cell prints after a restart or a skipped section come from here.
"""

from __future__ import annotations

SECTIONS = {
    "overview": {
        "4. A first win: a CNN that reads digits":
            "DataLoader NOTE labels nn passes predicted scores test_set train_loader train_set",
        "5. How this course works":
            "check",
        "1. What a CNN is":
            "data",
        "2. Why it matters, and where it fits":
            "model quiz",
    },
    "pixels": {
        "6. Datasets and batches":
            "X cifar mnist y",
        "4. Channels first: (H, W, C) versus (C, H, W)":
            "check chw claim to_chw_float x",
        "1. A photo is a grid of numbers":
            "gray photo",
        "5. Normalisation: centre each channel":
            "mean std",
        "3. uint8 versus float":
            "plt quiz t",
    },
    "neural_networks": {
        "4. Cross-entropy: how wrong is a prediction?":
            "F math y",
        "5. Gradient descent, one step by hand":
            "W X Y bias grad_W grad_b lr sgd_step",
        "1. A neuron by hand":
            "b batch check plt w z",
        "3. From scores to probabilities: softmax":
            "big logits naive_softmax quiz softmax",
        "2. Many neurons side by side: a linear layer":
            "claim layer",
        "6. A fully connected classifier on Fashion-MNIST":
            "data history mlp note on",
    },
    "convolution": {
        "2. Output size: padding and stride":
            "F check claim conv_output_size nn size",
        "5. Edge filters on a real photo":
            "KERNELS named_kernel photo",
        "3. Convolution from scratch":
            "conv2d_single conv2d_unfold image kernel theirs",
        "1. Slide, multiply, sum":
            "edge_kernel quiz toy",
        "4. Cross-correlation, convolution and signal processing":
            "layer plt",
    },
    "pooling": {
        "1. Pooling in one small example":
            "F check claim fmap nn quiz x",
        "5. Pooling a real feature map":
            "edge_map edges gray plt",
        "3. See which value each window keeps":
            "fmap6 pooling_widget",
        "7. Does pooling add information?":
            "pooled",
        "6. Measured: pooling and small shifts":
            "table",
    },
    "activations": {
        "1. Four activation functions and their slopes":
            "COLORS F activations check claim nn plt quiz z",
        "4. Pitfall: no activation between convolutions":
            "SimpleCNN contrast conv_a conv_b data fit note one_layer single train_loader val_acc "
            "val_loader x",
        "3. Depth without activations":
            "X b models y",
    },
    "outputs": {
        "1. Flatten: from feature maps to one vector":
            "F SimpleCNN check claim compare count_parameters flat math nn plt quiz trace",
        "6. A different input size":
            "ViewCNN one_big_image view_model",
        "4. Softmax before CrossEntropyLoss":
            "data fit note runs train_loader val_loader",
        "3. What the last layer returns":
            "logits",
        "2. The fully connected head":
            "model",
    },
    "data_pipeline": {
        "4. ImageFolder: one subfolder per class":
            "Counter DataLoader ImageFolder X folder_data resize_tf",
        "7. Five data mistakes, run and fixed":
            "N_PROBE nn predictions",
        "6. A validation split that is the same every time":
            "Subset eval_data train_set val_idx val_set",
        "2. Transforms: from a PIL image to a normalised tensor":
            "channel_stats eval_tf i mean std to_tensor train_data v2 x",
        "1. A dataset gives one example at a time":
            "check image label_note quiz raw",
        "3. A dataset of your own: image files and a CSV of labels":
            "claim flat photos",
    },
    "build_cnn": {
        "3. The data: CIFAR-10":
            "EPOCHS LAYOUT NOTE data test_loader train_loader val_loader",
        "1. The model, in our own code":
            "F Path SimpleCNN check claim nn plt quiz tempfile",
        "4. The training loop, step by step":
            "accuracy model",
        "6. Where the model goes wrong":
            "confidence n_classes plot_prediction_gallery predicted y_val",
        "5. Training with cnncourse.train.fit":
            "evaluate history label weights_after",
        "7. Save and load the weights":
            "folder path",
    },
    "under_the_hood": {
        "4. Receptive fields grow through the stack":
            "F check grad rows s steps width",
        "1. A trained network to look inside":
            "SimpleCNN X_val claim data label model pred show tag x y_val",
        "5. Checking backpropagation through a convolution":
            "X1 autograd_grad by_hand w",
        "6. Translation: what a shift of the input does":
            "a b columns shift_right shifts",
        "7. Saliency and Grad-CAM: what did the prediction look at?":
            "cam_pkg grad_cam ring_share sal_pkg saliency",
        "3. Feature maps, layer by layer":
            "maps plt",
        "2. Learned first-layer filters":
            "quiz",
    },
    "deeper_networks": {
        "4. Augmentation and regularisation":
            "AugmentedLoader augment_batch batch n_small optimizer reg_results",
        "1. Data and a training budget":
            "F NOTE OKABE_ITO TAG TensorLoader X_train check claim compare data epochs n_train "
            "n_val nn plt quiz time train_sgd val_loader y_train",
        "3. Going deeper":
            "ResidualBlock deep_runs deep_train_acc name norms",
        "2. Batch normalisation":
            "batch_norm bn_runs conv_net net plot_runs start",
        "5. Optimisers and learning-rate schedules":
            "best_lr opt_net opt_run opt_runs opt_train rerun_gap schedule",
        "6. A stronger CIFAR-10 model":
            "ladder steps",
    },
    "production": {
        "4. Single-image inference with the training preprocessing":
            "DataLoader Dataset Image accuracy antialiased averaged cnn eval_tf labels mean "
            "pipelines prepare_image probs raw raws std",
        "1. Pretrained weights, online and offline":
            "F TensorLoader check claim compare info model nn plt pretrained quiz time transfer",
        "2. Transfer learning: measured":
            "X_src backbone data how i m note per_class pool r rows size start test_tgt "
            "to_model_input val_src val_tgt y_src",
        "7. Connection to NLP: 1D convolution over a sequence":
            "alphabet encode one_hot_sequence text",
        "5. Saving for deployment: torch.export":
            "cnn_cpu",
        "3. Choosing a model by accuracy and speed":
            "cpu_latency_ms lat_size rows_models",
        "6. When NOT to use a CNN":
            "g",
    },
    "capstone": {
        "3. The data, and your machine's speed":
            "BRIEF_BUDGET BUDGET C H K NOTE W data goal key tag",
        "1. The brief":
            "DATASET DEMO capstone check claim compare name nn pct quiz",
        "5. Training within the budget":
            "FLIP base baseline epochs mine my_run plt train",
        "9. Your own photos in plain PyTorch":
            "Path SIZE classes eval_tf mean net std tempfile train_loader val_loader val_set",
        "7. The leaderboard":
            "RECORD baseline_row my_row",
        "4. Your model":
            "build_model",
        "6. Choose on validation, test once":
            "chosen test_accuracy",
        "8. Where does it go wrong?":
            "predictions",
    },
}


def where(lesson: str, name: str) -> str | None:
    """``"section 5 (Training with fit)"`` for the section of ``lesson`` that makes ``name``."""
    for heading, names in SECTIONS.get(lesson, {}).items():
        if name in names.split():
            number, _, title = heading.partition(". ")
            return f"section {number} ({title})"
    return None
