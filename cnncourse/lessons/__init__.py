"""One module per lesson, named by its concept: its reference solutions, their checks and its
quizzes (``from cnncourse.lessons.convolution import check, quiz``)."""

LESSONS = ("overview", "pixels", "neural_networks", "convolution", "pooling", "activations",
           "outputs", "data_pipeline",
           "build_cnn", "under_the_hood", "deeper_networks", "production", "capstone")
"""The lesson modules in course order (notebooks 00 to 12)."""
