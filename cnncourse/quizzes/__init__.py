"""Predict-then-reveal quizzes, one module per notebook: ``from cnncourse.quizzes import nb03``."""
