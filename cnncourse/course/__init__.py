"""How a notebook talks to a learner: exercise checks, quizzes, claims and the Colab setup."""
