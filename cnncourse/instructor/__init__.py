"""Tools for instructors and authors, apart from what learners import.

- ``notebooks``: the course notebooks as data (exercises, the lesson each one uses);
- ``solved``: solved and nbgrader copies (``cnncourse notebooks``);
- ``stamp``: Colab badges and setup cells (``cnncourse stamp``);
- ``timing``: measured run times for the timing plan (``cnncourse timing``).
"""
