"""How a notebook talks to a learner: the exercise checks, the quizzes, the claims a cell
states about its own results, and the Colab setup.

  exercises  Checks, Mistake and the expect_* helpers a lesson's ``check.NAME()`` uses
  quiz       Quiz, Option, Quizzes: ask first, then reveal with the reasons
  claims     claim(): a notebook's sentence about its run, checked against the run
  colab      where the course lives (REPO, BRANCH) and the line its setup cell prints in Colab
"""
