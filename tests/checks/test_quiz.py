"""Quizzes build as widgets and as static text/HTML, and give per-option feedback."""

import pytest

from cnncourse.course.quiz import Option, Quiz
from cnncourse.viz.widgets import widgets_available


def make_quiz():
    return Quiz("Does pooling add information?",
                [Option("Yes", False, "It only keeps or averages values."),
                 ("No", True, "It summarises each window.")],
                "Pooling is a fixed reduction of its input.")


def test_static_text_lists_options_then_the_answer_section():
    text = make_quiz().to_text()
    before, after = text.split(Quiz.ANSWER_LINE)
    assert "A. Yes" in before and "B. No" in before
    for hidden in ("only keeps", "summarises", "fixed reduction", "Answer:"):
        assert hidden not in before and hidden in after, hidden
    assert "Answer: B. Pooling is" in after
    assert "A. ✗ It only keeps" in after and "B. ✓ It summarises" in after


def test_static_html_folds_answer_explanation_and_feedback():
    page = make_quiz().to_html()
    before, inside = page.split("<details>")
    assert "<b>A.</b> Yes" in before and "<b>B.</b> No" in before
    for hidden in ("only keeps", "summarises", "fixed reduction", "B.</b> Pooling"):
        assert hidden not in before and hidden in inside, hidden
    assert inside.index("</summary>") < inside.index("fixed reduction")


def test_static_html_escapes_text():
    quiz = Quiz("Is 1 < 2?", [("yes & right", True, "<b>bold</b>"), ("no", False)], "a<b")
    page = quiz.to_html()
    assert "1 &lt; 2" in page and "yes &amp; right" in page and "&lt;b&gt;bold" in page


def test_widget_reveals_nothing_before_a_click():
    quiz = make_quiz()
    box = quiz.widget()
    assert "Pick the answer" in box.feedback.value
    for hidden in ("only keeps", "summarises", "fixed reduction"):
        assert hidden not in box.feedback.value
        assert all(hidden not in b.description for b in box.buttons)


def test_widget_click_shows_feedback():
    quiz = make_quiz()
    box = quiz.widget()
    box.buttons[0].click()
    assert "Not quite" in box.feedback.value and "only keeps" in box.feedback.value
    assert "fixed reduction" in box.feedback.value
    assert box.buttons[0].button_style == "danger" and quiz.answer == 0
    box.buttons[1].click()
    assert "Right" in box.feedback.value and box.buttons[1].button_style == "success"


def test_show_falls_back_to_static_outside_a_kernel(capsys, monkeypatch):
    assert widgets_available() is False  # pytest is not a Jupyter kernel
    quiz = make_quiz()
    assert quiz.show() is None and quiz.box is None
    printed = capsys.readouterr().out
    assert printed.strip() == quiz.to_text().strip()  # plain consoles get the text form
    monkeypatch.setattr("cnncourse.course.quiz.widgets_available", lambda: True)
    assert quiz.show() is None and quiz.box is not None
    quiz.box.buttons[1].click()
    assert quiz.answer == 1


@pytest.mark.parametrize("args,message", [
    (("", [("a", True), ("b", False)], "x"), "non-empty question"),
    (("q", [("a", True)], "x"), "at least 2 options"),
    (("q", [("a", False), ("b", False)], "x"), "0 options are marked correct"),
    (("q", [("a", True), ("b", True), ("c", False)], "x"), "2 options are marked correct"),
])
def test_bad_quiz_input(args, message):
    with pytest.raises(ValueError, match=message):
        Quiz(*args)
