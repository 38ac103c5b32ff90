"""Predict-then-reveal quizzes: live widgets in JupyterLab and Colab, readable text elsewhere.

The answer, the explanation and each option's feedback show only after an answer (folded away
in static HTML and text). The quizzes are ``lessons/quizzes/<lesson>.json``, read on first use.
"""

from __future__ import annotations

import functools
import html
import json
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

from cnncourse.course import room
from cnncourse.course.exercises import ByName
from cnncourse.viz.widgets import widget_box, widgets_available


@dataclass(frozen=True)
class Option:
    """One answer: its text, whether it is right, and feedback shown when it is picked."""

    text: str
    correct: bool = False
    feedback: str = ""


class Quiz:
    """A multiple-choice question with per-option feedback and an explanation."""

    def __init__(self, question: str, options: Sequence[Option | tuple], explanation: str,
                 title: str = "Predict, then reveal"):
        if not isinstance(question, str) or not question.strip():
            raise ValueError("Quiz: expected a non-empty question string.")
        opts = [o if isinstance(o, Option) else Option(*o) for o in options]
        if len(opts) < 2:
            raise ValueError(f"Quiz: expected at least 2 options, got {len(opts)}.")
        n_right = sum(o.correct for o in opts)
        if n_right != 1:
            raise ValueError(f"Quiz: {n_right} options are marked correct; mark exactly one "
                             "(correct=True, or \"correct\": true in a quiz file).")
        self.question, self.options, self.explanation, self.title = (
            question, opts, explanation, title)
        self.answer: int | None = None  # index of the last option picked in the widget
        self.box: Any = None  # the widget last shown by show(), for tests and notebooks
        self.lesson, self.name = "", ""  # set by Quizzes; name the quiz in a room's records

    def __repr__(self) -> str:   # a plain console shows the static text form
        return self.to_text()

    # Static forms ----------------------------------------------------------------------------
    # Only the question and the options come first. The answer, the explanation and every
    # option's feedback (which says "Right: ..." or why an option is wrong) come after it,
    # folded into <details> in HTML and after the ANSWER_LINE in text.
    ANSWER_LINE = "Answer (after you commit)"

    def right_letter(self) -> str:
        """The letter of the right option, e.g. "C"."""
        return next(chr(65 + i) for i, o in enumerate(self.options) if o.correct)

    def to_text(self) -> str:
        """The quiz as plain text: question and options, then the answer section last."""
        lines = [f"{self.title}: {self.question}"]
        lines += [f"  {chr(65 + i)}. {o.text}" for i, o in enumerate(self.options)]
        lines += ["", "Commit to an answer, then read on.", "",
                  f"--- {self.ANSWER_LINE} ---",
                  f"Answer: {self.right_letter()}. {self.explanation}"]
        lines += [f"  {chr(65 + i)}. {'✓' if o.correct else '✗'} {o.feedback}".rstrip()
                  for i, o in enumerate(self.options)]
        return "\n".join(lines)

    def to_html(self) -> str:
        """The quiz as HTML: question and options, with the answer, the explanation and all
        feedback folded away in one <details> element."""
        items = "".join(f"<li><b>{chr(65 + i)}.</b> {html.escape(o.text)}</li>"
                        for i, o in enumerate(self.options))
        feedback = "".join(
            f"<li><b>{chr(65 + i)}.</b> {'✓' if o.correct else '✗'} "
            f"{html.escape(o.feedback)}</li>"
            for i, o in enumerate(self.options))
        return (f"<div class='cnncourse-quiz'><p><b>{html.escape(self.title)}:</b> "
                f"{html.escape(self.question)}</p><ol type='A' style='list-style:none'>"
                f"{items}</ol><details><summary>Reveal the answer</summary>"
                f"<p><b>{self.right_letter()}.</b> {html.escape(self.explanation)}</p>"
                f"<ul style='list-style:none'>{feedback}</ul></details></div>")

    def _repr_html_(self) -> str:   # a notebook front end shows the static HTML form
        return self.to_html()

    # Widget ----------------------------------------------------------------------------------
    def widget(self) -> Any:
        """Build the interactive widget: one button per option, feedback under them."""
        import ipywidgets as w

        header = w.HTML(f"<b>{html.escape(self.title)}:</b> {html.escape(self.question)}")
        feedback = w.HTML("<i>Pick the answer you believe, then see why.</i>")
        buttons = []
        for i, opt in enumerate(self.options):
            button = w.Button(description=f"{chr(65 + i)}. {opt.text}"[:200],
                              layout=w.Layout(width="auto", max_width="100%"))
            button.tooltip = opt.text
            button.on_click(lambda _b, i=i: self._pick(i, buttons, feedback))
            buttons.append(button)
        box = widget_box([header, *buttons, feedback], "quiz")  # the course's one widget look
        box.feedback, box.buttons = feedback, buttons  # handy for tests and the browser test
        return box

    def _pick(self, index: int, buttons: list, feedback: Any) -> None:
        if self.answer is None:  # a workshop room records the first answer only
            room.record("quiz", lesson=self.lesson, item=self.name, answer=chr(65 + index),
                        correct=self.options[index].correct)
        self.answer = index
        opt = self.options[index]
        for i, button in enumerate(buttons):
            button.button_style = ""
            if i == index:
                button.button_style = "success" if opt.correct else "danger"
        verdict = "✅ Right." if opt.correct else "❌ Not quite."
        extra = f" {html.escape(opt.feedback)}" if opt.feedback else ""
        feedback.value = (f"<div class='cnncourse-feedback' role='alert'><b>{verdict}</b>{extra}"
                          f"<br><b>Why:</b> {html.escape(self.explanation)}</div>")

    def show(self) -> None:
        """Display the quiz: the widget in a live kernel with ipywidgets, else the static form.

        Returns None so a notebook cell ending in ``quiz.show()`` displays it once; the
        widget is kept as ``self.box``.
        """
        from IPython.display import display

        if widgets_available():
            self.box = self.widget()
            display(self.box)
            return
        display(self)  # HTML where a front end renders it, to_text() elsewhere


class Quizzes(ByName):
    """A lesson's quizzes by name: ``quiz.padding.show()``.

    They are course text, kept as package data in ``cnncourse/lessons/quizzes/<lesson>.json``
    (quiz name -> question, options, explanation) and read the first time one is asked for.
    """

    kind, kinds = "quiz", "quizzes"

    @functools.cached_property
    def _loaded(self) -> dict[str, Quiz]:
        return load(self._lesson)

    def _all(self) -> dict[str, Quiz]:
        return self._loaded


def load(lesson: str) -> dict[str, Quiz]:
    """Build the quizzes in ``lessons/quizzes/<lesson>.json``, in the file's order.

    Each entry is ``{"question", "options": [{"text", "correct": true (the right one only),
    "feedback"}], "explanation"}``, plus ``"title"`` where it is not the default. A malformed
    entry raises ValueError naming the file and the quiz.
    """
    where = f"cnncourse/lessons/quizzes/{lesson}.json"
    # Not files("cnncourse"): a room's clone ~/cnncourse makes that a namespace pointing into
    # the clone. One segment per joinpath: a MultiplexedPath takes one before Python 3.12.
    text = resources.files("cnncourse.lessons").joinpath("quizzes").joinpath(f"{lesson}.json")
    try:
        data = json.loads(text.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise ValueError(f"{where} is not valid JSON: {err}.") from err
    quizzes = {}
    for name, fields in data.items():
        try:
            fields = dict(fields)
            options = [Option(**option) for option in fields.pop("options", ())]
            quizzes[name] = Quiz(options=options, **fields)
        except (TypeError, ValueError) as err:
            raise ValueError(f"{where}, quiz {name!r}: {err}") from err
        quizzes[name].lesson, quizzes[name].name = lesson, name
    return quizzes
