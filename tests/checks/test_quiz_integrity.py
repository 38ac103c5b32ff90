"""Every quiz in the package is fair: no guessable answer, and a static form that hides it.

Over all quizzes (every lesson in ``cnncourse.lessons.LESSONS``, each read from its
``cnncourse/lessons/quizzes/<lesson>.json``):

- no answer position (A, B, C, D) is right in more than 40% of them;
- the longest option is right in at most 40% of them, and the shortest too (a rule "never
  the longest" would be a cue as well, so the longest is also right in at least 10%);
- within a quiz, the longest option is at most ``MAX_LENGTH_RATIO`` times the shortest;
- exactly one option is right;
- a quiz has two options only if it is listed in ``BINARY`` with the reason;
- the static HTML shows no feedback and no explanation before ``<details>`` and all of them
  inside it; the text form has them only after its "Answer (after you commit)" line;
- no quiz text refers to an option by its letter, or mentions the seed;
- the quiz files keep one form: known keys only, ``"correct": true`` on the right option
  alone, ``"title"`` only where it is not the default, UTF-8 text, one key per line.

Run with ``-s`` to see the distribution printed.
"""

from __future__ import annotations

import html
import importlib
import inspect
import json
import re
from collections import Counter
from pathlib import Path

import pytest

import cnncourse
from cnncourse.course.quiz import Quiz
from cnncourse.lessons import LESSONS

QUIZZES: list[tuple[str, Quiz]] = [
    (f"{lesson}.{name}", quiz)
    for lesson in LESSONS
    for name, quiz in importlib.import_module(f"cnncourse.lessons.{lesson}").quiz.items()]

MAX_POSITION_SHARE = 0.40   # no letter is right in more than this share of all quizzes
MAX_LONGEST_SHARE = 0.40    # nor the longest option (nor the shortest)
MIN_LONGEST_SHARE = 0.10    # "never the longest" would be a cue too
MAX_LENGTH_RATIO = 2.0      # longest option / shortest option, per quiz (measured max: 1.92)

BINARY = {
    "production.params_vs_latency":
        "a yes/no claim: is the model with fewer parameters always the faster one?",
    "capstone.logits_argmax":
        "a yes/no question: does argmax need softmax first? Softmax never changes the order.",
}
"""Quizzes allowed two options, each with the reason the real question is binary."""


def right_indices(quiz: Quiz) -> list[int]:
    return [i for i, o in enumerate(quiz.options) if o.correct]


def lengths(quiz: Quiz) -> list[int]:
    return [len(o.text) for o in quiz.options]


def distribution() -> dict:
    """Answer positions, and how often the longest/shortest option is right (ties count)."""
    positions = Counter(chr(65 + right_indices(q)[0]) for _, q in QUIZZES)
    longest = [n for n, q in QUIZZES if lengths(q)[right_indices(q)[0]] == max(lengths(q))]
    shortest = [n for n, q in QUIZZES if lengths(q)[right_indices(q)[0]] == min(lengths(q))]
    return {"n": len(QUIZZES), "positions": dict(sorted(positions.items())),
            "longest": longest, "shortest": shortest}


def describe(d: dict) -> str:
    n = d["n"]
    spread = ", ".join(f"{k} {v} ({v / n:.0%})" for k, v in d["positions"].items())
    return (f"{n} quizzes; right answer at {spread}; longest option right in "
            f"{len(d['longest'])} ({len(d['longest']) / n:.0%}), shortest right in "
            f"{len(d['shortest'])} ({len(d['shortest']) / n:.0%})")


def test_the_package_has_quizzes():
    assert len(QUIZZES) >= 40, f"expected the course's ~54 quizzes, found {len(QUIZZES)}"


def test_answer_positions_are_spread():
    d = distribution()
    print("\n" + describe(d))
    too_often = {k: v for k, v in d["positions"].items() if v > MAX_POSITION_SHARE * d["n"]}
    assert not too_often, (f"{describe(d)}. Letters right in more than "
                           f"{MAX_POSITION_SHARE:.0%}: {too_often}; reorder some options.")


def test_option_length_is_no_cue():
    d = distribution()
    print("\n" + describe(d))
    print("longest option right:", ", ".join(d["longest"]))
    assert len(d["longest"]) <= MAX_LONGEST_SHARE * d["n"], (
        f"{describe(d)}. Shorten the right options of some of: {d['longest']}")
    assert len(d["longest"]) >= MIN_LONGEST_SHARE * d["n"], (
        f"{describe(d)}. The longest option is almost never right, which is a cue too.")
    assert len(d["shortest"]) <= MAX_LONGEST_SHARE * d["n"], (
        f"{describe(d)}. The shortest option is right too often: {d['shortest']}")


@pytest.mark.parametrize("name,quiz", QUIZZES, ids=[n for n, _ in QUIZZES])
def test_options_have_comparable_lengths(name, quiz):
    sizes = lengths(quiz)
    ratio = max(sizes) / min(sizes)
    assert ratio <= MAX_LENGTH_RATIO, (
        f"{name}: the longest option is {ratio:.2f}x the shortest (at most {MAX_LENGTH_RATIO}); "
        f"lengths {sizes}. Move explanation out of long options into the feedback, or give "
        f"short ones (numbers) a few words.")


@pytest.mark.parametrize("name,quiz", QUIZZES, ids=[n for n, _ in QUIZZES])
def test_one_right_option_and_binary_only_when_allowed(name, quiz):
    right = right_indices(quiz)
    assert len(right) == 1, f"{name}: {len(right)} right options; mark one"
    if len(quiz.options) == 2:
        assert name in BINARY, (f"{name} has two options; add plausible ones, or list it in "
                                f"BINARY with the reason the question is really yes/no.")


def test_binary_allow_list_is_current():
    binary = {n for n, q in QUIZZES if len(q.options) == 2}
    assert set(BINARY) <= binary, f"BINARY lists quizzes that are not binary: {set(BINARY) - binary}"


def feedback_texts(quiz: Quiz) -> list[str]:
    return [o.feedback for o in quiz.options if o.feedback]


@pytest.mark.parametrize("name,quiz", QUIZZES, ids=[n for n, _ in QUIZZES])
def test_static_html_folds_answer_and_all_feedback(name, quiz):
    page = quiz.to_html()
    assert page.count("<details>") == 1, f"{name}: expected one <details> element"
    before, inside = page.split("<details>")
    inside = inside.split("</details>")[0]
    assert html.escape(quiz.question) in before
    for option in quiz.options:
        assert html.escape(option.text) in before, f"{name}: option {option.text!r} not shown"
    for text in [quiz.explanation, *feedback_texts(quiz)]:
        escaped = html.escape(text)
        assert escaped not in before, f"{name}: {text[:50]!r}... shown before the reveal"
        assert escaped in inside, f"{name}: {text[:50]!r}... missing from <details>"
    assert f"<b>{quiz.right_letter()}.</b>" in inside


@pytest.mark.parametrize("name,quiz", QUIZZES, ids=[n for n, _ in QUIZZES])
def test_static_text_puts_answer_after_the_answer_line(name, quiz):
    text = quiz.to_text()
    assert text.count(Quiz.ANSWER_LINE) == 1, f"{name}: no {Quiz.ANSWER_LINE!r} line"
    before, after = text.split(Quiz.ANSWER_LINE)
    for option in quiz.options:
        assert option.text in before
    for piece in [quiz.explanation, *feedback_texts(quiz)]:
        assert piece not in before, f"{name}: {piece[:50]!r}... printed before the answer line"
        assert piece in after, f"{name}: {piece[:50]!r}... missing after the answer line"
    assert f"Answer: {quiz.right_letter()}." in after


POSITION_WORDS = re.compile(r"\b(option|answer|choice)s?\s+[A-F]\b")
SEED = re.compile(r"\bthe seed\b|\bseed's\b", re.IGNORECASE)


@pytest.mark.parametrize("name,quiz", QUIZZES, ids=[n for n, _ in QUIZZES])
def test_no_letters_and_no_seed_in_quiz_text(name, quiz):
    texts = [quiz.question, quiz.explanation, quiz.title,
             *(t for o in quiz.options for t in (o.text, o.feedback))]
    for text in texts:
        assert not POSITION_WORDS.search(text), (
            f"{name}: {text!r} names an option by its letter; letters change when options "
            f"are reordered")
        assert not SEED.search(text), f"{name}: {text!r} mentions the seed"


QUIZ_FILES = Path(cnncourse.__file__).parent / "lessons" / "quizzes"
DEFAULT_TITLE = inspect.signature(Quiz).parameters["title"].default


@pytest.mark.parametrize("lesson", LESSONS)
def test_quiz_files_keep_one_form(lesson):
    path = QUIZ_FILES / f"{lesson}.json"
    text = path.read_text(encoding="utf-8")
    data = json.loads(text)
    assert text == json.dumps(data, ensure_ascii=False, indent=1) + "\n", (
        f"{path.name}: write it as json.dumps(data, ensure_ascii=False, indent=1) plus a "
        f"newline, so diffs show one changed line per changed text")
    for name, quiz in data.items():
        assert {"question", "options", "explanation"} <= set(quiz) <= {
            "question", "options", "explanation", "title"}, f"{lesson}.{name}: keys {set(quiz)}"
        assert quiz.get("title") != DEFAULT_TITLE, (
            f"{lesson}.{name}: drop \"title\", {DEFAULT_TITLE!r} is the default")
        for option in quiz["options"]:
            assert set(option) <= {"text", "correct", "feedback"}, f"{lesson}.{name}: {option}"
            assert option.get("correct", True) is True, (
                f"{lesson}.{name}: mark only the right option, with \"correct\": true")
