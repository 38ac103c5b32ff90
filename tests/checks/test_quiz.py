"""Quizzes build as widgets and as static text/HTML, and give per-option feedback."""

import json
from types import SimpleNamespace

import pytest

from cnncourse.course import quiz as quiz_module
from cnncourse.course.quiz import Option, Quiz, Quizzes
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


# A lesson's quizzes, read from lessons/quizzes/<lesson>.json ---------------------------------

def test_quizzes_read_their_file_on_first_use_only():
    quizzes = Quizzes("pixels")
    assert "_loaded" not in vars(quizzes)  # importing a lesson module reads no file
    first = quizzes.float_memory
    assert isinstance(first, Quiz) and quizzes.float_memory is first  # read once, then kept
    assert (first.lesson, first.name) == ("pixels", "float_memory")  # for a room's records
    assert [name for name, _ in quizzes.items()][:2] == ["uint8_overflow", "float_memory"]


def test_an_unknown_quiz_name_lists_the_lessons_quizzes():
    with pytest.raises(AttributeError, match="'pixels' has no quiz 'nope'; its quizzes are: "
                                             "uint8_overflow, float_memory"):
        Quizzes("pixels").nope.show()


def write_quiz_file(tmp_path, monkeypatch, text: str) -> None:
    """Make ``Quizzes("broken")`` read ``text`` instead of a file of the package."""
    folder = tmp_path / "quizzes"                        # as if tmp_path were cnncourse/lessons
    folder.mkdir(parents=True)
    (folder / "broken.json").write_text(text, encoding="utf-8")
    monkeypatch.setattr(quiz_module, "resources", SimpleNamespace(files=lambda _: tmp_path))


def entry(*correct: bool, **extra) -> dict:
    return {"question": "q?", "explanation": "e.",
            "options": [{"text": f"o{i}", "correct": c} for i, c in enumerate(correct)], **extra}


@pytest.mark.parametrize("quiz,message", [
    (entry(True, True, False), "2 options are marked correct"),
    (entry(False, False), "0 options are marked correct"),
    (entry(True), "at least 2 options"),
    ({"question": "q?", "options": []}, "explanation"),
    (entry(True, False, hint="x"), "hint"),
])
def test_a_malformed_quiz_file_names_the_file_and_the_quiz(tmp_path, monkeypatch, quiz, message):
    write_quiz_file(tmp_path, monkeypatch, json.dumps({"fine": entry(True, False), "bad": quiz}))
    with pytest.raises(ValueError, match="lessons/quizzes/broken.json, quiz 'bad': ") as err:
        Quizzes("broken").fine.show()
    assert message in str(err.value)


def test_a_quiz_file_that_is_not_json_says_so(tmp_path, monkeypatch):
    write_quiz_file(tmp_path, monkeypatch, '{"a": {"question": "q?",}}')
    with pytest.raises(ValueError, match="lessons/quizzes/broken.json is not valid JSON"):
        len(Quizzes("broken"))


def test_quizzes_load_where_the_package_resolves_as_a_namespace(monkeypatch, tmp_path):
    """In a workshop room the learner's clone, ~/cnncourse (no __init__.py), makes "cnncourse"
    a namespace: its resources are a MultiplexedPath into the clone, where no quizzes are."""
    from importlib import readers, resources

    real_files = resources.files
    clone = readers.MultiplexedPath(tmp_path)
    monkeypatch.setattr(quiz_module.resources, "files",
                        lambda name: clone if name == "cnncourse" else real_files(name))
    assert len(quiz_module.load("pooling")) > 0
