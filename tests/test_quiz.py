"""Quizzes build as widgets and as static text/HTML, and give per-option feedback."""

import pytest

from cnncourse.quiz import Option, Quiz, widgets_available


def make_quiz():
    return Quiz("Does pooling add information?",
                [Option("Yes", False, "It only keeps or averages values."),
                 ("No", True, "It summarises each window.")],
                "Pooling is a fixed reduction of its input.")


def test_static_forms_hide_nothing_but_fold_the_answer():
    quiz = make_quiz()
    text = quiz.to_text()
    assert "A. Yes" in text and "Answer: B." in text
    page = quiz.to_html()
    assert "<details>" in page and "It only keeps" in page and "B.</b>" in page


def test_widget_click_shows_feedback():
    quiz = make_quiz()
    box = quiz.widget()
    assert "Pick the answer" in box.feedback.value
    box.buttons[0].click()
    assert "Not quite" in box.feedback.value and "only keeps" in box.feedback.value
    assert box.buttons[0].button_style == "danger" and quiz.answer == 0
    box.buttons[1].click()
    assert "Right" in box.feedback.value and box.buttons[1].button_style == "success"


def test_show_falls_back_to_static_outside_a_kernel():
    assert widgets_available() is False  # pytest is not a Jupyter kernel
    quiz = make_quiz()
    assert quiz.show() is None and quiz.box is None
    assert quiz.show("widget") is None and quiz.box is not None
    quiz.box.buttons[1].click()
    assert quiz.answer == 1


@pytest.mark.parametrize("args,message", [
    (("", [("a", True), ("b", False)], "x"), "non-empty question"),
    (("q", [("a", True)], "x"), "at least 2 options"),
    (("q", [("a", False), ("b", False)], "x"), "no option is marked correct"),
])
def test_bad_quiz_input(args, message):
    with pytest.raises(ValueError, match=message):
        Quiz(*args)


def test_bad_show_mode():
    with pytest.raises(ValueError, match="mode must be"):
        make_quiz().show("fancy")
