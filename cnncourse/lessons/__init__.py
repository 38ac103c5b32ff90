"""One module per lesson, named by its concept, holding the lesson's reference solutions, the
checks beside them and its quizzes. A notebook imports its lesson once::

    from cnncourse.lessons.convolution import check, quiz

    check.conv2d_single(conv2d_single)      # a verdict for the learner's answer
    quiz.padding.show()                     # a predict-then-reveal quiz

Each check sits right after the reference solution it compares against:
``check.NAME.solution()`` prints the reference, ``check.NAME.pick(NAME)`` falls back to it.
The quizzes are course text, kept beside the modules as ``quizzes/<lesson>.json``.
"""

LESSONS = ("overview", "pixels", "neural_networks", "convolution", "pooling", "activations",
           "outputs", "data_pipeline",
           "build_cnn", "under_the_hood", "deeper_networks", "production", "capstone")
"""The lesson modules in course order (notebooks 00 to 12)."""
