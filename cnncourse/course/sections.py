"""Which section of each notebook makes the names that later cells use.

Generated from the notebooks by ``python tests/notebooks/test_sections.py --write`` (a test keeps it in
step): the directions a cell prints after a restart or a skipped section come from here.
"""

from __future__ import annotations

SECTIONS = {
    "overview": {
        "1. What a CNN is": "data",
        "2. Why it matters, and where it fits": "model quiz",
        "4. A first win: a CNN that reads digits":
            "DataLoader NOTE labels nn passes predicted scores test_set train_loader train_set",
    },
    "pixels": {
        "1. A photo is a grid of numbers": "gray photo",
        "3. uint8 versus float": "plt quiz t",
        "4. Channels first: (H, W, C) versus (C, H, W)": "check chw claim to_chw_float x",
        "5. Normalisation: centre each channel": "mean std",
        "6. Datasets and batches": "X cifar mnist y",
    },
    "neural_networks": {
        "1. A neuron by hand": "b batch check plt w z",
        "2. Many neurons side by side: a linear layer": "claim layer",
        "3. From scores to probabilities: softmax": "big logits naive_softmax quiz softmax",
        "4. Cross-entropy: how wrong is a prediction?": "F math y",
        "5. Gradient descent, one step by hand": "W X Y bias grad_W grad_b lr sgd_step",
        "6. A fully connected classifier on Fashion-MNIST": "data history mlp note on",
    },
    "convolution": {
        "1. Slide, multiply, sum": "edge_kernel quiz toy",
        "2. Output size: padding and stride": "F check claim conv_output_size nn size",
        "3. Convolution from scratch": "conv2d_single conv2d_unfold image kernel theirs",
        "4. Cross-correlation, convolution and signal processing": "layer plt",
        "5. Edge filters on a real photo": "KERNELS named_kernel photo",
    },
    "pooling": {
        "1. Pooling in one small example": "F check claim fmap nn quiz x",
        "3. See which value each window keeps": "fmap6 pooling_widget",
        "5. Pooling a real feature map": "edge_map edges gray plt",
        "6. Measured: pooling and small shifts": "table",
        "7. Does pooling add information?": "pooled",
    },
    "activations": {
        "1. Four activation functions and their slopes":
            "COLORS F activations check claim nn plt quiz z",
        "3. Depth without activations": "X b models y",
        "4. Pitfall: no activation between convolutions":
            "SimpleCNN contrast conv_a conv_b data fit note one_layer single train_loader val_acc "
            "val_loader x",
    },
    "outputs": {
        "1. Flatten: from feature maps to one vector":
            "F SimpleCNN check claim compare count_parameters flat math nn plt quiz trace",
        "2. The fully connected head": "model",
        "3. What the last layer returns": "logits",
        "4. Softmax before CrossEntropyLoss": "data fit note runs train_loader val_loader",
        "6. A different input size": "ViewCNN one_big_image view_model",
    },
    "data_pipeline": {
        "1. A dataset gives one example at a time": "check image label_note quiz raw",
        "2. Transforms: from a PIL image to a normalised tensor":
            "channel_stats claim eval_tf i mean std to_tensor train_data v2 val_idx",
        "3. A dataset of your own: image files and a CSV of labels": "Path flat photos root",
        "4. ImageFolder: one subfolder per class":
            "Counter DataLoader Image ImageFolder ImageOps X cls folder_data messy p path resize_tf "
            "why_unusable",
        "6. A validation split that is the same every time": "Subset eval_data train_set val_set",
        "7. Five data mistakes, run and fixed": "N_PROBE nn predictions probe",
    },
    "build_cnn": {
        "1. The model, in our own code": "F Path SimpleCNN check claim nn plt quiz tempfile",
        "3. The data: CIFAR-10": "EPOCHS LAYOUT NOTE data test_loader train_loader val_loader",
        "4. The training loop, step by step": "accuracy model",
        "5. Training with cnncourse.train.fit": "evaluate history label weights_after",
        "6. Where the model goes wrong":
            "confidence n_classes plot_prediction_gallery predicted y_val",
        "7. Save and load the weights": "folder path",
    },
    "under_the_hood": {
        "1. A trained network to look inside":
            "SimpleCNN X_val claim data label model pred show tag x y_val",
        "2. Learned first-layer filters": "quiz",
        "3. Feature maps, layer by layer": "maps plt",
        "4. Receptive fields grow through the stack": "F check grad rows s steps width",
        "5. Checking backpropagation through a convolution": "X1 autograd_grad by_hand w",
        "6. Translation: what a shift of the input does": "a b columns shift_right shifts",
        "7. Saliency and Grad-CAM: what did the prediction look at?":
            "cam_pkg grad_cam ring_share sal_pkg saliency",
    },
    "deeper_networks": {
        "1. Data and a training budget":
            "F NOTE OKABE_ITO TAG TensorLoader X_train check claim compare data epochs n_val nn plt "
            "quiz time train_sgd val_loader y_train",
        "2. Batch normalisation": "batch_norm bn_runs conv_net lr net plot_runs start",
        "3. Going deeper": "ResidualBlock deep_runs deep_train_acc model n_deep name norms",
        "4. Augmentation and regularisation":
            "AugmentedLoader augment_batch batch n_out n_small optimizer reg_epochs reg_results",
        "5. Optimisers and learning-rate schedules":
            "best_lr n_opt opt_net opt_run opt_runs opt_train schedule",
        "6. A stronger CIFAR-10 model": "ladder steps",
    },
    "production": {
        "1. Pretrained weights, online and offline":
            "F TensorLoader check claim compare info model nn plt pretrained quiz time transfer",
        "2. Transfer learning: measured":
            "X_in X_src backbone data how i m n net note p per_class pool r rows s size start "
            "test_tgt to_model_input val_src val_tgt y_few y_src",
        "3. Choosing a model by accuracy and speed": "cpu_latency_ms lat_size rows_models x",
        "4. Single-image inference with the training preprocessing":
            "DataLoader Dataset Image accuracy antialiased averaged cnn eval_tf labels mean "
            "pipelines prepare_image probs raw raws std",
        "5. Saving for deployment: torch.export": "cnn_cpu",
        "6. When NOT to use a CNN": "g",
        "7. Connection to NLP: 1D convolution over a sequence":
            "alphabet encode one_hot_sequence text",
    },
    "capstone": {
        "1. The brief": "DATASET DEMO capstone check claim compare nn pct quiz",
        "3. The data, and your machine's speed":
            "BRIEF_BUDGET BUDGET C H K NOTE W data goal key tag",
        "4. Your model": "build_model",
        "5. Training within the budget": "base baseline epochs mine my_run plt train",
        "6. Choose on validation, test once": "chosen test_accuracy",
        "7. The leaderboard": "RECORD baseline_row my_row",
        "8. Where does it go wrong?": "predictions",
        "9. Your own photos in plain PyTorch": "OUT Path SCRIPT run_script script show tempfile",
    },
}


def where(lesson: str, name: str) -> str | None:
    """``"section 5 (Training with fit)"`` for the section of ``lesson`` that makes ``name``."""
    for heading, names in SECTIONS.get(lesson, {}).items():
        if name in names.split():
            number, _, title = heading.partition(". ")
            return f"section {number} ({title})"
    return None
