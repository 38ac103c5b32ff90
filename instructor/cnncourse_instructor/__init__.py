"""The instructor's and author's tools (``cnncourse-instructor``), apart from what learners install.

A second distribution in the course repository (``instructor/``); it imports the learner
package ``cnncourse``, never the reverse.

- ``notebooks``: the course notebooks as data (exercises, the lesson each one uses);
- ``solved``: solved and nbgrader copies (``cnncourse-instructor notebooks``);
- ``stamp``: Colab badges and setup cells (``cnncourse-instructor stamp``);
- ``timing``: measured run times for the timing plan (``cnncourse-instructor timing``);
- ``hub``: a workshop room on a local JupyterHub (``cnncourse-instructor hub``, ``make hub``);
- ``recorder``: what learners' kernels send to the room's progress view (cnncourse loads it in
  a room, through the entry point group ``cnncourse.room``).
"""
